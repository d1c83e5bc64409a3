"""The transactional outbox: background jobs written in the same transaction as the data they act on.

A job row is inserted beside (say) a submission; after that transaction commits, its id is sent to
the dramatiq broker. The broker only carries ids. If the send fails, the app dies before sending, or
a worker dies mid-job, the sweep (a periodic job, see landform/ops/jobs.py) sends the job again once
its `redispatch_at` has passed. Every job function is idempotent, and the runner locks the job row
and skips it once done, so a job sent twice has the effect of one.

The modules, bottom to top: `models` (the job row), `handoff` (sending committed jobs to the broker),
`registry` (declaring jobs, writing one), `fastpath` (the intake's one-statement write), `runner`
(doing a job), `broker` (the broker and its actors), `sweep` (sending stuck jobs again, dead jobs).
"""
