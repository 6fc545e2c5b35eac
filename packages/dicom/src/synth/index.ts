export { generateDemoData, type DemoDataOptions, type DemoDataSummary, type DemoTask, type SiteSummary } from './generateDemoData.js';
export { siteProfile, type SiteProfile, type XrayProfile, type MrProfile } from './siteProfiles.js';
export { Rng } from './prng.js';
