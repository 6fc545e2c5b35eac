#!/usr/bin/python3
"""Writes real multi-frame compressed files re-encapsulated with an Extended Offset Table
(7FE0,0001 OV + 7FE0,0002 OV, PS3.5 A.4 / PS3.3 C.7.6.3), written by pydicom 2.3 as explicit VR
little endian with VR OV, plus 64-bit VR elements (SV, UV) elsewhere in the data set, and a
deflated native file with SV/UV elements. The frames' bytes are copied unchanged from the source
files, so their decoded pixels must equal the source files' reference decode.
Usage: make_eot_files.py OUT_DIR SRC_JPEG_LOSSLESS_12F SRC_JPEG_BASELINE_96F SRC_RLE_2F;
prints JSON [{name, source, fragmentsPerFrame}].

Needs Debian python3-pydicom (/usr/bin/python3)."""
import json
import os
import struct
import sys

import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import generate_pixel_data_frame, itemize_frame
from pydicom.sequence import Sequence
from pydicom.dataset import Dataset
from pydicom.uid import DeflatedExplicitVRLittleEndian

out_dir, lossless, baseline, rle = sys.argv[1:5]
written = []


def add_64bit_elements(ds):
    # Private elements with the 64-bit VRs, one inside a sequence item, and a text value that
    # spells them (which must be left alone).
    block = ds.private_block(0x0009, 'FEDCL 64-BIT VRS', create=True)
    block.add_new(0x01, 'SV', [-(2 ** 40), 7])
    block.add_new(0x02, 'UV', [2 ** 50])
    item = Dataset()
    item_block = item.private_block(0x0009, 'FEDCL 64-BIT VRS', create=True)
    item_block.add_new(0x03, 'UV', [1, 2, 3])
    block.add_new(0x04, 'SQ', Sequence([item]))
    block.add_new(0x05, 'SQ', Sequence([item]))
    ds[block.get_tag(0x05)].is_undefined_length = True
    ds.SeriesDescription = 'OVSVUV OV'


def with_eot(src, name, fragments_per_frame):
    ds = pydicom.dcmread(src)
    n = int(ds.NumberOfFrames)
    frames = list(generate_pixel_data_frame(ds.PixelData, n))
    # Empty Basic Offset Table (required with an EOT), then each frame's fragments.
    data = bytearray(b'\xfe\xff\x00\xe0\x00\x00\x00\x00')
    offsets, lengths = [], []
    for frame in frames:
        offsets.append(len(data) - 8)
        lengths.append(len(frame))
        for item in itemize_frame(frame, fragments_per_frame):
            data += item
    ds.PixelData = bytes(data)
    ds['PixelData'].is_undefined_length = True
    ds.ExtendedOffsetTable = struct.pack('<%dQ' % n, *offsets)
    ds.ExtendedOffsetTableLengths = struct.pack('<%dQ' % n, *lengths)
    add_64bit_elements(ds)
    ds.save_as(os.path.join(out_dir, name), write_like_original=False)
    written.append({'name': name, 'source': src, 'fragmentsPerFrame': fragments_per_frame})


with_eot(lossless, 'eot_jpeg_lossless_12f.dcm', 1)
with_eot(baseline, 'eot_jpeg_baseline_96f.dcm', 3)
with_eot(rle, 'eot_rle_2f.dcm', 2)

native = get_testdata_file('MR_small.dcm')
ds = pydicom.dcmread(native)
add_64bit_elements(ds)
ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
ds.save_as(os.path.join(out_dir, 'deflated_sv_uv.dcm'), write_like_original=False)
written.append({'name': 'deflated_sv_uv.dcm', 'source': native, 'fragmentsPerFrame': 0})
print(json.dumps(written))
