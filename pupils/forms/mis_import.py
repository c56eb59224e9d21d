from django import forms

from pupils.mis import MAX_BYTES, MAX_ROWS, ImportFileError, parse_csv, read_upload


class ImportUploadForm(forms.Form):
    """The MIS export to preview. Whole-file problems (encoding, size, missing columns …) are
    errors on the file field; ``cleaned_data["text"]`` is the decoded CSV and
    ``cleaned_data["encoding"]`` the encoding it was read as."""

    file = forms.FileField(
        label="MIS export (CSV file)",
        help_text=(
            f"A .csv file of up to {MAX_BYTES // 1024 // 1024} MB and {MAX_ROWS:,} pupils, "
            "with one row per pupil and column headings in the first row."
        ),
        allow_empty_file=True,  # the import explains an empty file in its own words
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    parse = staticmethod(parse_csv)  # the import's whole-file checks

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                decoded = read_upload(upload, parse=self.parse)
                cleaned["text"], cleaned["encoding"] = decoded.text, decoded.encoding
            except ImportFileError as error:
                self.add_error("file", forms.ValidationError(error.message, code=error.code))
        return cleaned
