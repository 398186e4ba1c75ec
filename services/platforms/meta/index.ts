export {
  createFacebookPageAdapter,
  facebookCapabilities,
  type MetaAdapterOptions,
} from './facebook-adapter.js';
export { createInstagramAdapter, instagramCapabilities } from './instagram-adapter.js';
export { appSecretProof, DEFAULT_GRAPH_BASE_URL, DEFAULT_GRAPH_VERSION } from './meta-client.js';
export { type MetaDeliveryItem, readMetaDelivery, verifyMetaSignature } from './meta-webhook.js';
