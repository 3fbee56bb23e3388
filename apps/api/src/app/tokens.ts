/** Injection tokens of the service's providers. */
export const EPISODES = Symbol('EpisodesService');
export const USERS = Symbol('UsersService');
export const CONFIG = Symbol('Configuration');
export const TRAINING = Symbol('TrainingService');
export const CLOCK = Symbol('Clock');
export const WORK_ITEMS = Symbol('WorkItemsService');
export const AUDIT = Symbol('AuditService');
export const ESCALATIONS = Symbol('EscalationsService');
export const ANALYTICS = Symbol('AnalyticsService');
export const PROTOCOL = Symbol('ProtocolService');
export const ACCESS_LOG = Symbol('AccessLogService');
export const OIDC = Symbol('OidcService');
export const EPISODE_CHANGES = Symbol('EpisodeChangesService');
export const FHIR = Symbol('FhirService');
export const CDS_HOOKS = Symbol('CdsHooks');
export const STREAM_SESSIONS = Symbol('StreamSessions');
