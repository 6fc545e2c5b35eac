#!/usr/bin/python3
"""Writes synthetic-but-standard DICOM files for pixel pipeline edge cases that the bundled real
test files do not cover. Each starts from a real file (pydicom's MR_small / CT_small) and changes
only the attributes under test. Usage: make_fixtures.py OUT_DIR; prints the file names as JSON.

Needs Debian python3-pydicom + python3-numpy (/usr/bin/python3)."""
import copy
import json
import os
import sys

import numpy as np
import pydicom
import pydicom.encaps
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.pixel_data_handlers.util import pack_bits
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian

out_dir = sys.argv[1]
rng = np.random.default_rng(1234)
written = []
PALETTES = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'palettes')


def mr():
    return pydicom.dcmread(get_testdata_file('MR_small.dcm'))


def to_big_endian(ds):
    # pydicom writes OW Pixel Data bytes as they are; big endian files need them swapped.
    if ds.BitsAllocated > 8:
        dt = '<u%d' % (ds.BitsAllocated // 8)
        ds.PixelData = np.frombuffer(ds.PixelData, dt).astype(dt.replace('<', '>')).tobytes()


def save(ds, name, syntax=ExplicitVRLittleEndian, **kw):
    if syntax == ExplicitVRBigEndian:
        to_big_endian(ds)
    ds.file_meta.TransferSyntaxUID = syntax
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    path = os.path.join(out_dir, name)
    ds.save_as(path, write_like_original=False, **kw)
    written.append(name)


def set_pixels(ds, arr, bits_allocated, bits_stored, signed):
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    dt = {8: 'u1', 16: 'u2', 32: 'u4'}[bits_allocated]
    ds.PixelData = np.ascontiguousarray(arr).astype('<' + dt).tobytes()
    ds['PixelData'].VR = 'OW' if bits_allocated > 8 else 'OB'


# 12 bits stored in 16, signed, with garbage in the 4 unused high bits (PS3.5 8.1.1: must be ignored).
ds = mr()
vals = rng.integers(-2048, 2048, size=(64, 64))
garbage = rng.integers(0, 16, size=(64, 64)) << 12
set_pixels(ds, ((vals & 0xFFF) | garbage), 16, 12, True)
ds.WindowCenter, ds.WindowWidth = 100, 1500
save(ds, 'bits12_signed_garbage.dcm')

# 12 bits stored unsigned with garbage, big endian, two windows, LINEAR_EXACT.
ds = mr()
vals = rng.integers(0, 4096, size=(64, 64))
set_pixels(ds, vals | (rng.integers(0, 16, size=(64, 64)) << 12), 16, 12, False)
ds.WindowCenter, ds.WindowWidth = [2000, 1000], [1000, 300]
ds.VOILUTFunction = 'LINEAR_EXACT'
save(ds, 'bits12_unsigned_exact_be.dcm', ExplicitVRBigEndian)

# High Bit 13 with 12 bits stored (retired layout, still in old files): bits 2..13 hold the value.
ds = mr()
vals = rng.integers(-2048, 2048, size=(64, 64))
set_pixels(ds, ((vals & 0xFFF) << 2) | rng.integers(0, 4, size=(64, 64)) | (rng.integers(0, 4, size=(64, 64)) << 14), 16, 12, True)
ds.HighBit = 13
save(ds, 'bits12_highbit13.dcm')

# An Icon Image Sequence (its own Pixel Data, nested) ahead of the image's Pixel Data, implicit VR.
ds = mr()
icon = Dataset()
icon.Rows, icon.Columns, icon.SamplesPerPixel, icon.PhotometricInterpretation = 2, 2, 1, 'MONOCHROME2'
icon.BitsAllocated, icon.BitsStored, icon.HighBit, icon.PixelRepresentation = 8, 8, 7, 0
icon.PixelData = bytes([1, 2, 3, 4])
ds.IconImageSequence = Sequence([icon])
save(ds, 'icon_sequence_implicit.dcm', ImplicitVRLittleEndian)

# MONOCHROME1 with a SIGMOID window.
ds = mr()
ds.PhotometricInterpretation = 'MONOCHROME1'
ds.VOILUTFunction = 'SIGMOID'
save(ds, 'mono1_sigmoid.dcm')

# MONOCHROME2 with Presentation LUT Shape INVERSE, implicit VR.
ds = mr()
ds.PresentationLUTShape = 'INVERSE'
save(ds, 'inverse_implicit.dcm', ImplicitVRLittleEndian)

# Padding value + range limit, signed, with rescale and no window (full-range fallback).
ds = pydicom.dcmread(get_testdata_file('CT_small.dcm'))
arr = ds.pixel_array.copy()
arr[:10, :] = -2000
arr[10:14, :] = -1990
set_pixels(ds, arr.astype(np.int16).view(np.uint16), 16, 16, True)
ds.PixelPaddingValue = -2000
ds['PixelPaddingValue'].VR = 'SS'
ds.PixelPaddingRangeLimit = -1980
ds['PixelPaddingRangeLimit'].VR = 'SS'
ds.RescaleSlope, ds.RescaleIntercept = 2, -1024
save(ds, 'padding_range.dcm')

# Modality LUT sequence + VOI LUT sequence (two items), 16-bit LUTs.
ds = mr()
lo = int(ds.pixel_array.min())
mod = Dataset()
mod.LUTDescriptor = [1024, lo + 100, 16]
mod['LUTDescriptor'].VR = 'US'
mod.ModalityLUTType = 'US'
mod.LUTData = [int(v) for v in np.linspace(0, 40000, 1024)]
mod['LUTData'].VR = 'US'
ds.ModalityLUTSequence = Sequence([mod])
del ds.WindowCenter, ds.WindowWidth
vois = []
for k in range(2):
    v = Dataset()
    v.LUTDescriptor = [4096, 0, 12]
    v['LUTDescriptor'].VR = 'US'
    v.LUTData = [int(x) for x in (np.sqrt(np.linspace(0, 1, 4096)) * 4095 if k == 0 else np.linspace(4095, 0, 4096))]
    v['LUTData'].VR = 'US'
    vois.append(v)
ds.VOILUTSequence = Sequence(vois)
save(ds, 'modality_voi_lut.dcm')

# 1 bit per pixel, 3 frames of 5 × 5 (25 bits: frames do not start on byte boundaries).
ds = mr()
bits = rng.integers(0, 2, size=(3, 5, 5)).astype(np.uint8)
ds.Rows, ds.Columns, ds.NumberOfFrames = 5, 5, 3
ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 1, 1, 0, 0
del ds.WindowCenter, ds.WindowWidth
ds.PixelData = pack_bits(bits.ravel())
ds['PixelData'].VR = 'OB'
save(ds, 'bits1_3frames.dcm')

# PALETTE COLOR, 8-bit indices, palettes: hotiron (8-bit entries) and a 16-bit one from it.
for name, sixteen in [('palette8_hotiron.dcm', False), ('palette16.dcm', True)]:
    ds = mr()
    pal = pydicom.dcmread(os.path.join(PALETTES, 'hotiron.dcm'))
    ds.PhotometricInterpretation = 'PALETTE COLOR'
    del ds.WindowCenter, ds.WindowWidth
    set_pixels(ds, rng.integers(0, 256, size=(64, 64)), 8, 8, False)
    for c in ('Red', 'Green', 'Blue'):
        desc = list(pal[f'{c}PaletteColorLookupTableDescriptor'].value)
        data = np.frombuffer(pal[f'{c}PaletteColorLookupTableData'].value, dtype='u1' if len(pal[f'{c}PaletteColorLookupTableData'].value) == desc[0] else '<u2')
        if sixteen:
            desc[2] = 16
            data = data.astype('<u2') * 257
        setattr(ds, f'{c}PaletteColorLookupTableDescriptor', desc)
        ds[f'{c}PaletteColorLookupTableDescriptor'].VR = 'US'
        setattr(ds, f'{c}PaletteColorLookupTableData', data.tobytes())
        ds[f'{c}PaletteColorLookupTableData'].VR = 'OW'
    save(ds, name)

# Segmented palette (PS3.3 C.7.9.2): discrete, linear and indirect segments, 16-bit entries,
# 256 entries per channel (the indirect one repeats the first two segments, offset 0).
ds = mr()
ds.PhotometricInterpretation = 'PALETTE COLOR'
del ds.WindowCenter, ds.WindowWidth
set_pixels(ds, rng.integers(0, 256, size=(64, 64)), 8, 8, False)
segs = {
    'Red': [0, 3, 0, 1000, 2000, 1, 100, 60000, 1, 153, 100],
    'Green': [0, 1, 5, 1, 255, 65535],
    'Blue': [0, 2, 7, 9, 1, 50, 30000, 2, 2, 0, 0, 1, 152, 0],
}
for c, words in segs.items():
    setattr(ds, f'{c}PaletteColorLookupTableDescriptor', [256, 0, 16])
    ds[f'{c}PaletteColorLookupTableDescriptor'].VR = 'US'
    setattr(ds, f'Segmented{c}PaletteColorLookupTableData', np.asarray(words, '<u2').tobytes())
    ds[f'Segmented{c}PaletteColorLookupTableData'].VR = 'OW'
save(ds, 'palette_segmented.dcm')

# Enhanced MR-style functional groups: shared rescale, per-frame windows, frame 2 overrides rescale.
ds = mr()
frames = np.stack([ds.pixel_array, ds.pixel_array[::-1], ds.pixel_array[:, ::-1]])
ds.NumberOfFrames = 3
set_pixels(ds, frames.astype(np.int16).view(np.uint16), 16, 16, True)
del ds.WindowCenter, ds.WindowWidth
shared = Dataset()
pvt = Dataset()
pvt.RescaleSlope, pvt.RescaleIntercept, pvt.RescaleType = 2, -100, 'US'
shared.PixelValueTransformationSequence = Sequence([pvt])
ds.SharedFunctionalGroupsSequence = Sequence([shared])
per = []
for k, (c, w) in enumerate([(1000, 2000), (2500, 800), (500, 400)]):
    f = Dataset()
    voi = Dataset()
    voi.WindowCenter, voi.WindowWidth = c, w
    f.FrameVOILUTSequence = Sequence([voi])
    if k == 2:
        p = Dataset()
        p.RescaleSlope, p.RescaleIntercept, p.RescaleType = 0.5, 10, 'US'
        f.PixelValueTransformationSequence = Sequence([p])
    per.append(f)
ds.PerFrameFunctionalGroupsSequence = Sequence(per)
save(ds, 'enhanced_functional_groups.dcm')

# Encapsulated Uncompressed Explicit VR Little Endian (1.2.840.10008.1.2.1.98): one native frame
# per item, here the 3 frames of the functional-groups file (pydicom 2.3 cannot decode it: the
# reference reads the native original).
ds = pydicom.dcmread(os.path.join(out_dir, 'enhanced_functional_groups.dcm'))
frame_bytes = len(ds.PixelData) // 3
ds.PixelData = pydicom.encaps.encapsulate([ds.PixelData[k * frame_bytes:(k + 1) * frame_bytes] for k in range(3)])
ds['PixelData'].VR = 'OB'
ds['PixelData'].is_undefined_length = True
ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.1.98'
ds.is_little_endian, ds.is_implicit_VR = True, False
ds.save_as(os.path.join(out_dir, 'encapsulated_uncompressed.dcm'), write_like_original=True)
written.append('encapsulated_uncompressed.dcm')

# File Meta declaring Explicit VR Little Endian over an implicit VR data set (seen in the wild).
ds = mr()
ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
ds.is_little_endian, ds.is_implicit_VR = True, True
ds.save_as(os.path.join(out_dir, 'mislabelled_implicit.dcm'), write_like_original=True)
written.append('mislabelled_implicit.dcm')

# Raw data sets without File Meta (implicit LE, explicit BE) and Part 10 without preamble.
for name, syntax in [('raw_implicit_le.dcm', ImplicitVRLittleEndian), ('raw_explicit_be.dcm', ExplicitVRBigEndian)]:
    plain = Dataset(mr())
    if syntax == ExplicitVRBigEndian:
        to_big_endian(plain)
    plain.file_meta = FileMetaDataset()
    plain.is_little_endian = syntax != ExplicitVRBigEndian
    plain.is_implicit_VR = syntax == ImplicitVRLittleEndian
    path = os.path.join(out_dir, name)
    pydicom.filewriter.dcmwrite(path, plain, write_like_original=True)
    written.append(name)
ds = mr()
path = os.path.join(out_dir, 'no_preamble.dcm')
ds.save_as(path, write_like_original=False)
with open(path, 'rb') as f:
    data = f.read()
with open(path, 'wb') as f:
    f.write(data[128:])
written.append('no_preamble.dcm')
with open(os.path.join(out_dir, 'meta_without_dicm.dcm'), 'wb') as f:
    f.write(data[132:])
written.append('meta_without_dicm.dcm')

print(json.dumps(written))
