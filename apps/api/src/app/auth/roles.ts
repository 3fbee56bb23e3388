/** The roles of the service's users (the API contract's list). */
export { USER_ROLES, type UserRole } from '@mas/contracts';
