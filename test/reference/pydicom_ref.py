#!/usr/bin/python3
"""Independent reference for packages/dicom's pixel pipeline, built on pydicom 2.3 + numpy.

stdin: JSON list of jobs {"file", "frame", "stage": stored|modality|display|padding, "voiIndex", "out"}.
Each job writes little-endian float32 (rows x columns x samples, interleaved) to "out"; stdout is a
JSON list of {"shape": [...]} or {"error": "..."}, one per job.

Stages, as documented in docs/dicom.md:
  stored   ds.pixel_array, then the bits outside BitsStored/HighBit dropped and the value
           sign-extended (PS3.5 8.1.1) because pydicom 2.3 leaves native data unmasked.
  modality grayscale: apply_modality_lut on a copy of the data set whose Rescale Slope/Intercept
           come from the frame's functional groups (per-frame over shared over top level);
           YBR_FULL(_422): convert_color_space to RGB; PALETTE COLOR: apply_color_lut.
  display  grayscale: apply_voi_lut(index=voiIndex); a window output is scaled by pydicom's own
           output range y = (v - y_min) / (y_max - y_min), a VOI LUT output by 1/(2^bits - 1);
           without a (valid) window or LUT: (m - min) / (max - min) over non-padding pixels.
           Then 1 - y for MONOCHROME1 or Presentation LUT Shape INVERSE, padding pixels set to 0.
           Colour: RGB / (2^BitsStored - 1); palette: / (2^LUT bits - 1).
  padding  1 where PixelPaddingValue <= v <= PixelPaddingRangeLimit (either order), else 0.
"""
import copy
import json
import sys

import numpy as np
import pydicom
from pydicom.pixel_data_handlers.util import (apply_color_lut, apply_modality_lut, apply_voi_lut,
                                              convert_color_space)


_last = {}


def load(path):
    """The data set and its decoded pixel array, cached for consecutive jobs on one file."""
    if _last.get('path') != path:
        ds = pydicom.dcmread(path, force=True)
        if 'TransferSyntaxUID' not in ds.file_meta:
            ds.file_meta.TransferSyntaxUID = (pydicom.uid.ImplicitVRLittleEndian if ds.is_implicit_VR else
                                              pydicom.uid.ExplicitVRLittleEndian if ds.is_little_endian else
                                              pydicom.uid.ExplicitVRBigEndian)
        _last.clear()
        _last.update(path=path, ds=ds, arr=ds.pixel_array if 'PixelData' in ds else None)
    return _last['ds'], _last['arr']


def stored(ds, arr, frame):
    if int(ds.get('NumberOfFrames', 1) or 1) > 1:
        arr = arr[frame]
    arr = arr.astype(np.int64)
    ba, bs = ds.BitsAllocated, ds.BitsStored
    hb = ds.get('HighBit', bs - 1)
    if ba > 1 and (bs < ba or hb != bs - 1):
        arr = (arr >> (hb + 1 - bs)) & ((1 << bs) - 1)
        if ds.PixelRepresentation == 1:
            arr = np.where(arr >= (1 << (bs - 1)), arr - (1 << bs), arr)
    return arr


def frame_ds(ds, frame):
    """A copy of ds with the frame's functional group rescale/window at the top level."""
    out = copy.copy(ds)
    groups = []
    if 'SharedFunctionalGroupsSequence' in ds:
        groups.append(ds.SharedFunctionalGroupsSequence[0])
    if 'PerFrameFunctionalGroupsSequence' in ds:
        groups.append(ds.PerFrameFunctionalGroupsSequence[frame])
    for g in groups:
        if 'PixelValueTransformationSequence' in g:
            p = g.PixelValueTransformationSequence[0]
            for k in ('RescaleSlope', 'RescaleIntercept'):
                if k in p:
                    setattr(out, k, p[k].value)
        if 'FrameVOILUTSequence' in g:
            v = g.FrameVOILUTSequence[0]
            if 'WindowCenter' in v and 'WindowWidth' in v:
                out.WindowCenter, out.WindowWidth = v.WindowCenter, v.WindowWidth
                if 'VOILUTFunction' in v:
                    out.VOILUTFunction = v.VOILUTFunction
                elif 'VOILUTFunction' in out:
                    del out.VOILUTFunction
    return out


def padding(ds, s):
    if 'PixelPaddingValue' not in ds or ds.SamplesPerPixel != 1:
        return None
    signed = ds.PixelRepresentation == 1

    def val(k):
        v = int(ds[k].value)
        return v - 65536 if signed and v > 32767 else v
    a = val('PixelPaddingValue')
    b = val('PixelPaddingRangeLimit') if 'PixelPaddingRangeLimit' in ds else a
    return (s >= min(a, b)) & (s <= max(a, b))


def window_valid(ds, index):
    if 'WindowCenter' not in ds or 'WindowWidth' not in ds:
        return False
    w = ds['WindowWidth']
    width = float(w.value[index] if w.VM > 1 else w.value)
    fn = str(ds.get('VOILUTFunction', 'LINEAR')).upper()
    return width >= 1 if fn == 'LINEAR' else width > 0


def window_range(ds):
    """pydicom's apply_windowing output range, reproduced to scale its output to [0, 1]."""
    if ds.get('ModalityLUTSequence'):
        y_min, y_max = 0, 2 ** ds.ModalityLUTSequence[0].LUTDescriptor[2] - 1
    elif ds.PixelRepresentation == 0:
        y_min, y_max = 0, 2 ** ds.BitsStored - 1
    else:
        y_min, y_max = -2 ** (ds.BitsStored - 1), 2 ** (ds.BitsStored - 1) - 1
    if 'RescaleSlope' in ds and 'RescaleIntercept' in ds:
        y_min = y_min * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
        y_max = y_max * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    return y_min, y_max


def run(job):
    ds, arr = load(job['file'])
    frame, stage = job['frame'], job['stage']
    s = stored(ds, arr, frame)
    pi = ds.PhotometricInterpretation
    fds = frame_ds(ds, frame)
    mask = padding(ds, s)
    if stage == 'stored':
        out = s
    elif stage == 'padding':
        out = mask.astype(np.float64)
    elif pi == 'PALETTE COLOR':
        out = apply_color_lut(s, ds).astype(np.float64)
        if stage == 'display':
            out /= 2 ** ds.RedPaletteColorLookupTableDescriptor[2] - 1
    elif pi in ('RGB', 'YBR_FULL', 'YBR_FULL_422'):
        out = s if pi == 'RGB' else convert_color_space(s.astype(np.uint8), 'YBR_FULL', 'RGB')
        out = out.astype(np.float64)
        if stage == 'display':
            out /= 2 ** ds.BitsStored - 1
    else:
        m = np.asarray(apply_modality_lut(s, fds), dtype=np.float64)
        if stage == 'modality':
            out = m
        else:
            index = job.get('voiIndex', 0)
            if fds.get('VOILUTSequence'):
                lut_bits = fds.VOILUTSequence[index].LUTDescriptor[2]
                # pydicom indexes the LUT with integer values; our modality values are integers here.
                out = apply_voi_lut(m.astype(np.int64), fds, index).astype(np.float64) / (2 ** lut_bits - 1)
            elif window_valid(fds, index):
                y_min, y_max = window_range(fds)
                out = (apply_voi_lut(m, fds, index) - y_min) / (y_max - y_min)
            else:
                valid = m[~mask] if mask is not None else m
                lo, hi = (valid.min(), valid.max()) if valid.size else (0.0, 0.0)
                out = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
            if pi == 'MONOCHROME1' or str(ds.get('PresentationLUTShape', '')).upper() == 'INVERSE':
                out = 1 - out
            if mask is not None:
                out = np.where(mask, 0.0, out)
    out = np.ascontiguousarray(out, dtype='<f4')
    out.tofile(job['out'])
    return {'shape': list(out.shape)}


def main():
    results = []
    for job in json.load(sys.stdin):
        try:
            results.append(run(job))
        except Exception as e:  # reported per job; the caller decides
            results.append({'error': f'{type(e).__name__}: {e}'})
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
