export * from './common.js';
export * from './manifest.js';
export * from './socket.js';
export * from './rest.js';
