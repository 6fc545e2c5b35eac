import type { FederationConfig } from '../config.js';
import type { CoordinatorKeyring } from '../keys.js';
import type { RoundController, SiteChannel } from '../rounds/roundController.js';
import type { Store } from '../store/store.js';

/** What the routes share (passed to each route plugin; no module globals). */
export interface CoordinatorContext {
  config: FederationConfig;
  store: Store;
  keys: CoordinatorKeyring;
  controller: RoundController;
  sites: SiteChannel;
}
