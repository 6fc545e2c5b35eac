#!/usr/bin/python3
"""Reference pixels for the robustness sweep over every DICOM file on the machine
(packages/dicom/src/image.sweep.test.ts). stdin: JSON {"outDir", "files": [{"file", "frames": "all"|"sample", "dcmdjpegArgs": [...],
"reference": path}]} ("sample": first, middle and last frame; "reference": an uncompressed copy
shipped with the file, for files no tool reads). For each file: pydicom 2.3 reads it; compressed Pixel Data is first
decompressed to explicit VR little endian by DCMTK (dcmdjpeg for JPEG, dcmdjpls for JPEG-LS) or GDCM
(gdcmconv --raw: JPEG 2000 and anything DCMTK refuses); native and RLE data are decoded by pydicom
itself; a file pydicom cannot read (or finds no Pixel Data in) is retried after DCMTK's dcmconv
+te. Then pydicom_ref.run writes each frame's stored/modality/display (and padding) float32.
stdout: JSON list, per file {"status": "ok", "frames", "decoder", "outputs": {"frame:stage": path}}
"lossy": bool} or {"status": "unreadable" | "no-pixels" | "undecodable", "reason"}."""
import json
import os
import subprocess
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pydicom  # noqa: E402
import pydicom_ref  # noqa: E402

warnings.simplefilter('ignore')
NATIVE = {'1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99',
          '1.2.840.10008.1.2.5'}
JPEG = {'1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.57', '1.2.840.10008.1.2.4.70'}
JPEG_LS = {'1.2.840.10008.1.2.4.80', '1.2.840.10008.1.2.4.81'}
# Lossy syntaxes: decoders may differ by the IDCT / wavelet implementation (JPEG-LS near-lossless
# decoding is exact integer arithmetic, so .81 is not here).
LOSSY = {'1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.91', '1.2.840.10008.1.2.4.203'}


def decompressed(path, syntax, index, out_dir, dcmdjpeg_args, shipped):
    """(path pydicom should read, decoder name); raises when no tool can decompress it."""
    if shipped:
        return shipped, 'shipped copy'
    if syntax in NATIVE or not syntax:
        return path, 'pydicom'
    tools = []
    if syntax in JPEG:
        tools.append(['dcmdjpeg', *dcmdjpeg_args])
    elif syntax in JPEG_LS:
        tools.append(['dcmdjpls'])
    tools.append(['gdcmconv', '--raw'])
    errors = []
    for tool in tools:
        out = os.path.join(out_dir, f'native{index}.dcm')
        r = subprocess.run([*tool, path, out], capture_output=True, timeout=120)
        if r.returncode == 0 and os.path.exists(out):
            return out, ' '.join(tool)
        errors.append(f'{tool[0]}: {r.stderr.decode(errors="replace").strip()[:200]}')
    raise RuntimeError('; '.join(errors))


def reference(item, index, out_dir):
    result = read_reference(item, index, out_dir)
    if result['status'] in ('unreadable', 'no-pixels'):
        # pydicom 2.3 loses its way in some valid files (e.g. a group 0000 element in an explicit
        # big endian data set): DCMTK rewrites the file as explicit VR little endian, then again.
        out = os.path.join(out_dir, f'normalised{index}.dcm')
        r = subprocess.run(['dcmconv', '+te', item['file'], out], capture_output=True, timeout=120)
        if r.returncode == 0:
            again = read_reference({**item, 'file': out}, index, out_dir)
            if again['status'] == 'ok':
                again['decoder'] = f"dcmconv +te, {again['decoder']}"
                return again
    return result


def read_reference(item, index, out_dir):
    path = item['file']
    try:
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=False)
        ds.PixelData  # noqa: B018 - forces the value to be read
    except Exception as e:
        if 'ds' in locals() and 'PixelData' not in ds:
            return {'status': 'no-pixels', 'reason': 'no Pixel Data'}
        return {'status': 'unreadable', 'reason': f'{type(e).__name__}: {e}'[:300]}
    if 'PixelData' not in ds:
        return {'status': 'no-pixels', 'reason': 'no Pixel Data'}
    syntax = str(ds.file_meta.get('TransferSyntaxUID', '')) if hasattr(ds, 'file_meta') else ''
    try:
        src, decoder = decompressed(path, syntax, index, out_dir, item.get('dcmdjpegArgs', []), item.get('reference'))
        pydicom_ref._last.clear()
        ds2, arr = pydicom_ref.load(src)
        if arr is None:
            return {'status': 'no-pixels', 'reason': 'no Pixel Data'}
    except Exception as e:
        return {'status': 'undecodable', 'reason': f'{type(e).__name__}: {e}'[:300]}
    n = int(ds2.get('NumberOfFrames', 1) or 1)
    frames = range(n) if item['frames'] == 'all' else sorted({0, n // 2, n - 1})
    stages = ['stored', 'modality', 'display'] + (['padding'] if 'PixelPaddingValue' in ds2 and ds2.SamplesPerPixel == 1 else [])
    outputs, errors = {}, {}
    for frame in frames:
        for stage in stages:
            out = os.path.join(out_dir, f'{index}_{frame}_{stage}.f32')
            try:
                pydicom_ref.run({'file': src, 'frame': frame, 'stage': stage, 'out': out})
                outputs[f'{frame}:{stage}'] = out
            except Exception as e:
                errors[f'{frame}:{stage}'] = f'{type(e).__name__}: {e}'[:300]
    if not outputs:
        return {'status': 'undecodable', 'reason': next(iter(errors.values()), 'no output')}
    return {'status': 'ok', 'frames': n, 'decoder': decoder, 'outputs': outputs, 'errors': errors,
            'lossy': syntax in LOSSY}


def main():
    job = json.load(sys.stdin)
    results = [reference(item, i, job['outDir']) for i, item in enumerate(job['files'])]
    json.dump(results, sys.stdout)


if __name__ == '__main__':
    main()
