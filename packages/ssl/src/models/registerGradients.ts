/**
 * Side effect: registers tfjs-core's gradient functions. The Node build of tfjs-core
 * (dist/tf-core.node.js) ships without them; the tfjs-layers Node bundle registers them all
 * with the shared engine. Import this from anything that differentiates.
 */
import '@tensorflow/tfjs-layers';
