"""Uploads refused as soon as they are too large, not after the whole body arrived.

A JAR or configuration file larger than CS accepts (8 MB, CS.11031) stops the upload at its limit:
the rest of the request body is not read (a browser checks the size before sending; this is for the
others), and the form shows the field error.
"""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from csapi import limits


class UploadLimitHandler(FileUploadHandler):
    """Stops the request at the first file part over ``UPLOAD_MAX_BYTES``; names it in ``request.upload_too_large``."""

    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > limits.UPLOAD_MAX_BYTES:
            self.request.upload_too_large = self.field_name
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers keep the file


def limit_uploads(view):
    """Install :class:`UploadLimitHandler` before anything reads the body (the CSRF check reads it,
    so it runs inside, after the handler is in place)."""
    import functools

    from django.views.decorators.csrf import csrf_exempt, csrf_protect

    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, UploadLimitHandler(request))
        return protected(request, *args, **kwargs)

    return wrapper
