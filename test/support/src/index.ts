export {
  freePort,
  type IdentityProvider,
  type ProviderSignIn,
  signInThroughProvider,
  startIdentityProvider,
} from './identity-provider.js';
