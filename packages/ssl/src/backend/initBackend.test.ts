import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, initBackend, type BackendLoader } from './initBackend.js';
import { formatBackendReport } from './backendReport.js';
import { OrtUnavailableError } from './ortRuntime.js';

const missing = (pkg: string): BackendLoader => async () => {
  throw new Error(`Cannot find package '${pkg}' imported from initBackend.ts`);
};
const fake = (tfBackend: string, version: string): BackendLoader => async () => ({ tfBackend, version, kernels: 'native' });

test('the ladder falls past missing native packages and records why', async () => {
  const report = await initBackend({
    env: {},
    loaders: {
      'tfjs-node-gpu': missing('@tensorflow/tfjs-node-gpu'),
      'tfjs-node': missing('@tensorflow/tfjs-node'),
      wasm: async () => ({ tfBackend: 'wasm', version: '9.9.9', kernels: 'fedcl-wasm', simd: true, fallbacks: [{ name: 'kernels:onnxruntime-mlas', reason: 'no binary' }] }),
    },
  });
  assert.deepEqual(report, {
    name: 'wasm',
    tfBackend: 'wasm',
    version: '9.9.9',
    simd: true,
    kernels: 'fedcl-wasm',
    fallbacks: [
      { name: 'tfjs-node-gpu', reason: "Cannot find package '@tensorflow/tfjs-node-gpu' imported from initBackend.ts" },
      { name: 'tfjs-node', reason: "Cannot find package '@tensorflow/tfjs-node' imported from initBackend.ts" },
      { name: 'kernels:onnxruntime-mlas', reason: 'no binary' },
    ],
  });
  assert.match(formatBackendReport(report), /^wasm 9\.9\.9 \(kernels fedcl-wasm, simd\); not used: tfjs-node-gpu: Cannot find/);
});

test('a native package that loads but fails to initialise is a fallback too, and the first working rung wins', async () => {
  const calls: string[] = [];
  const report = await initBackend({
    env: {},
    loaders: {
      'tfjs-node-gpu': async () => {
        calls.push('gpu');
        throw new Error('libcudart.so.11.0: cannot open shared object file');
      },
      'tfjs-node': async () => {
        calls.push('node');
        return { tfBackend: 'tensorflow', version: '4.22.0', kernels: 'native' };
      },
      wasm: async () => {
        calls.push('wasm');
        throw new Error('must not be tried');
      },
    },
  });
  assert.deepEqual(calls, ['gpu', 'node']);
  assert.equal(report.name, 'tfjs-node');
  assert.deepEqual(report.fallbacks, [{ name: 'tfjs-node-gpu', reason: 'libcudart.so.11.0: cannot open shared object file' }]);
});

test('FEDCL_BACKEND forces one rung; its failure is an error naming why, never a silent fallback', async () => {
  const forced = await initBackend({ env: { FEDCL_BACKEND: 'cpu' }, loaders: { cpu: fake('cpu', '1.0.0'), wasm: fake('wasm', '2.0.0') } });
  assert.equal(forced.name, 'cpu');
  assert.deepEqual(forced.fallbacks, []);
  await assert.rejects(
    initBackend({ env: { FEDCL_BACKEND: 'tfjs-node' }, loaders: { 'tfjs-node': missing('@tensorflow/tfjs-node'), cpu: fake('cpu', '1.0.0') } }),
    (e: Error) => e instanceof BackendUnavailableError && /'tfjs-node' was forced .*Cannot find package '@tensorflow\/tfjs-node'/.test(e.message),
  );
  await assert.rejects(initBackend({ env: { FEDCL_BACKEND: 'gpu' } }), /FEDCL_BACKEND is 'gpu'; use one of tfjs-node-gpu, tfjs-node, wasm, cpu/);
});

test('prefer starts the ladder lower; when every rung fails the error lists each reason', async () => {
  const report = await initBackend({ env: {}, prefer: 'wasm', loaders: { 'tfjs-node': missing('x'), wasm: missing('wasm'), cpu: fake('cpu', '4.22.0') } });
  assert.equal(report.name, 'cpu');
  assert.deepEqual(report.fallbacks.map((f) => f.name), ['wasm']);
  await assert.rejects(
    initBackend({ env: {}, prefer: 'wasm', loaders: { wasm: missing('a'), cpu: missing('b') } }),
    /no compute backend could be used: wasm: Cannot find package 'a'.*; cpu: Cannot find package 'b'/,
  );
});

test('real wasm rung: onnxruntime missing falls back to fedcl-wasm kernels with the reason; forced onnxruntime fails loudly', async () => {
  const noOrt = () => {
    throw new OrtUnavailableError('onnxruntime-node is not loadable (simulated)');
  };
  const report = await initBackend({ env: {}, prefer: 'wasm', loadOrt: noOrt, threads: 2 });
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(report.name, 'wasm');
  assert.equal(report.kernels, 'fedcl-wasm');
  assert.deepEqual(report.fallbacks, [{ name: 'kernels:onnxruntime-mlas', reason: 'onnxruntime-node is not loadable (simulated)' }]);
  await assert.rejects(
    initBackend({ env: { FEDCL_KERNELS: 'onnxruntime-mlas' }, prefer: 'wasm', loadOrt: noOrt }),
    /onnxruntime-mlas kernels were requested but cannot be used: onnxruntime-node is not loadable \(simulated\)/,
  );
  const withOrt = await initBackend({ env: { FEDCL_THREADS: '2' }, prefer: 'wasm' });
  assert.equal(withOrt.kernels, 'onnxruntime-mlas', `onnxruntime-node should load here (run npm install): ${formatBackendReport(withOrt)}`);
  assert.equal(withOrt.threads, 2);
  const cpu = await initBackend({ env: { FEDCL_BACKEND: 'cpu' } });
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(cpu.kernels, 'tfjs-cpu');
});
