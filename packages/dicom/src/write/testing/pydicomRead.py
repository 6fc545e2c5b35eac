"""Independent reference reader for fedcl's DICOM writer tests (pydicom + numpy, Debian python3).

stdin: JSON list of file paths. stdout: JSON list, one object per file:
  {path, transferSyntax, meta: {keyword: str}, attrs: {keyword: str}, pixels: {dtype, shape, b64} | null, error: str | null}
Every element value is read with validation mode RAISE, so a value that breaks its VR's rules
(length, characters, format) is reported as an error. Pixels are decoded only where pydicom can
without optional plugins (native syntaxes, deflate, RLE); `pixels` is null otherwise.
"""
import base64
import json
import sys

import numpy as np
import pydicom
from pydicom import config

config.settings.reading_validation_mode = config.RAISE
NATIVE_OR_RLE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5"}


def text(el):
    if el.VR == "SQ":
        return [[text_ds(item)] for item in el.value]
    if el.VR in ("OB", "OW", "UN") or el.tag == 0x7FE00010:
        return None
    v = el.value
    if isinstance(v, (list, pydicom.multival.MultiValue)):
        return [str(x) for x in v]
    return str(v)


def text_ds(ds):
    return {el.keyword or str(el.tag): text(el) for el in ds}


def read(path):
    out = {"path": path, "error": None, "pixels": None}
    try:
        ds = pydicom.dcmread(path)
        out["transferSyntax"] = str(ds.file_meta.TransferSyntaxUID)
        out["meta"] = text_ds(ds.file_meta)
        out["attrs"] = text_ds(ds)
        if "PixelData" in ds and out["transferSyntax"] in NATIVE_OR_RLE:
            arr = np.ascontiguousarray(ds.pixel_array)
            little = arr.astype(arr.dtype.newbyteorder("<"))
            out["pixels"] = {"dtype": arr.dtype.name, "shape": list(arr.shape), "b64": base64.b64encode(little.tobytes()).decode()}
    except Exception as e:  # noqa: BLE001 - every failure is reported per file
        out["error"] = f"{type(e).__name__}: {e}"
    return out


print(json.dumps([read(p) for p in json.load(sys.stdin)]))
