export {
  boundCodes,
  type CdsHooksModels,
  cdsHooksSpecDir,
  checkCdsHooks,
  codesStatedBySpecification,
  type Finding,
  loadCdsHooksModels,
} from './cds-hooks-conformance.js';
export {
  freePort,
  type IdentityProvider,
  type ProviderSignIn,
  signInThroughProvider,
  startIdentityProvider,
} from './identity-provider.js';
