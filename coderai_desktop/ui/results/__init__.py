"""The Results page: the dataset as a spreadsheet to review, with the evidence behind each value."""
