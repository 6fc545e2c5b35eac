#!/usr/bin/python3
"""Transcodes real CR, CT, MR (and multi-frame) files into every transfer syntax DCMTK and GDCM can
write, with single- and multi-fragment frames, with and without offset tables, for the robustness
sweep (image.sweep.test.ts, FEDCL_LONG=1). Usage: make_syntax_variants.py OUT_DIR SRC...
Tools that refuse a source (e.g. baseline JPEG for 16-bit data) are skipped for it. Prints the
number of files written."""
import os
import subprocess
import sys

out_dir, sources = sys.argv[1], sys.argv[2:]
VARIANTS = [
    ('impl', ['dcmconv', '+ti']),
    ('expl', ['dcmconv', '+te']),
    ('big', ['dcmconv', '+tb']),
    ('defl', ['dcmconv', '+td']),
    ('jpeg-sv1', ['dcmcjpeg', '+e1']),
    ('jpeg-sv1-frag1k-nobot', ['dcmcjpeg', '+e1', '+fs', '1', '-ot']),
    ('jpeg-sv4', ['dcmcjpeg', '+el', '+sv', '4']),
    ('jpeg-sv7-pt2', ['dcmcjpeg', '+el', '+sv', '7', '+pt', '2']),
    ('jpeg-base', ['dcmcjpeg', '+eb']),
    ('jpeg-ext', ['dcmcjpeg', '+ee']),
    ('jpeg-ext-12', ['dcmcjpeg', '+ee', '+bt']),
    ('jls', ['dcmcjpls', '+el']),
    ('jls-near', ['dcmcjpls', '+en']),
    ('jls-frag1k', ['dcmcjpls', '+el', '+fs', '1']),
    ('rle', ['dcmcrle']),
    ('rle-nobot', ['dcmcrle', '-ot']),
    ('j2k', ['gdcmconv', '--j2k']),
    ('j2k-lossy', ['gdcmconv', '--j2k', '--lossy', '--irreversible', '-q', '40']),  # without --lossy GDCM stays reversible
    ('g-jpeg', ['gdcmconv', '--jpeg']),
    ('g-jpeg-lossy', ['gdcmconv', '--jpeg', '--lossy', '-q', '80']),
    ('g-jls', ['gdcmconv', '--jpegls']),
    ('g-jls-lossy', ['gdcmconv', '--jpegls', '--lossy', '-e', '3']),
    ('g-rle', ['gdcmconv', '--rle']),
    ('g-impl', ['gdcmconv', '--implicit']),
    # Frames split into 512-byte fragments (GDCM splits only already-compressed files).
    ('j2k-split', ['gdcmconv', '-S', '512'], 'j2k'),
    ('g-jpeg-split', ['gdcmconv', '-S', '512'], 'g-jpeg'),
]
n = 0
for src in sources:
    stem = os.path.basename(src).replace('.dcm', '')
    parent = os.path.basename(os.path.dirname(src))
    for name, cmd, *of in VARIANTS:
        out = os.path.join(out_dir, f'{parent}_{stem}_{name}.dcm')
        source = os.path.join(out_dir, f'{parent}_{stem}_{of[0]}.dcm') if of else src
        if not os.path.exists(source):
            continue
        r = subprocess.run([*cmd, source, out], capture_output=True, timeout=300)
        if r.returncode == 0 and os.path.exists(out):
            n += 1
        elif os.path.exists(out):
            os.remove(out)
print(n)
