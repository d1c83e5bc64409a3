// The deal board: drag a card onto another stage. The drop sets the card's own stage select and submits
// its form, which htmx posts and answers by swapping the board; without JavaScript the form still works.
(function () {
  if (window.landformDealBoard) return; // a boosted navigation runs this again: listen once
  window.landformDealBoard = true;
  var stageOf = function (node) { return node && node.closest ? node.closest(".deal-stage") : null; };
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".deal-card[draggable]");
    if (!card) return;
    event.dataTransfer.setData("text/plain", card.id);
    event.dataTransfer.effectAllowed = "move";
    card.classList.add("dragging");
  });
  document.addEventListener("dragend", function (event) {
    if (event.target.classList) event.target.classList.remove("dragging");
    document.querySelectorAll(".deal-stage.drop-target").forEach(function (s) { s.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var stage = stageOf(event.target);
    if (!stage) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    stage.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var stage = stageOf(event.target);
    if (stage && !stage.contains(event.relatedTarget)) stage.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (event) {
    var stage = stageOf(event.target);
    if (!stage) return;
    event.preventDefault();
    stage.classList.remove("drop-target");
    var card = document.getElementById(event.dataTransfer.getData("text/plain"));
    var form = card && card.querySelector("form.deal-move");
    if (!form || stageOf(card) === stage) return;
    form.elements.stage_id.value = stage.dataset.stage;
    stage.querySelector(".deal-cards").appendChild(card);
    form.requestSubmit();
  });
})();
