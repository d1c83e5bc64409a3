"""Files visitors send with a form: the field's rules, sniffing, the store's rows, downloads and the sweep."""
