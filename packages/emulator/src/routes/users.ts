import type { User } from '../entities.js';
import { ApiError, badRequest } from '../errors.js';
import { newId } from '../ids.js';
import { BodyReader, mergeMetadata } from '../input.js';
import { requireUser } from '../lookup.js';
import { paginate, readPageRequest } from '../pagination.js';
import type { RequestContext, Router } from '../router.js';
import { userJson } from '../serialize.js';
import { timestamp } from '../state.js';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSWORD_HASH_TYPES = ['bcrypt', 'firebase-scrypt', 'ssha', 'ssha256', 'scrypt', 'pbkdf2', 'argon2'];

function readPasswordFields(reader: BodyReader): void {
  const password = reader.string('password');
  const passwordHash = reader.string('password_hash');
  const passwordHashType = reader.string('password_hash_type');
  if (password !== undefined && passwordHash !== undefined) {
    throw badRequest('password_and_password_hash_provided', 'Provide either password or password_hash, not both.');
  }
  if (password !== undefined && passwordHashType !== undefined) {
    throw badRequest('password_and_password_hash_type_provided', 'password_hash_type applies to password_hash only.');
  }
  if (passwordHash !== undefined && (passwordHashType === undefined || passwordHashType === null || !PASSWORD_HASH_TYPES.includes(passwordHashType))) {
    throw badRequest('invalid_password_hash', `password_hash needs a password_hash_type, one of ${PASSWORD_HASH_TYPES.join(', ')}.`);
  }
}

function createUser({ state, body }: RequestContext) {
  const reader = new BodyReader(body);
  const email = reader.string('email', { required: true, maxLength: 320, pattern: EMAIL_PATTERN, patternHint: 'an email address' });
  const firstName = reader.string('first_name', { nullable: true, maxLength: 255 });
  const lastName = reader.string('last_name', { nullable: true, maxLength: 255 });
  const name = reader.string('name', { nullable: true, maxLength: 255 });
  const emailVerified = reader.boolean('email_verified');
  const externalId = reader.string('external_id', { nullable: true, maxLength: 128 });
  const metadata = reader.metadata('metadata');
  readPasswordFields(reader);
  reader.done();

  if (state.findUserByEmail(email) !== undefined) {
    throw new ApiError(400, {
      message: 'Could not create user.',
      code: 'user_creation_error',
      errors: [{ code: 'email_not_available', message: 'This email is not available.' }],
    });
  }
  if (externalId !== undefined && externalId !== null && state.findUserByExternalId(externalId) !== undefined) {
    throw new ApiError(400, {
      message: 'Could not create user.',
      code: 'user_creation_error',
      errors: [{ code: 'external_id_already_used', message: `external_id '${externalId}' is already used by another user.` }],
    });
  }

  const now = timestamp();
  const user: User = {
    id: newId('user'),
    email,
    email_verified: emailVerified ?? false,
    first_name: firstName ?? null,
    last_name: lastName ?? null,
    name: name ?? null,
    profile_picture_url: null,
    locale: null,
    external_id: externalId ?? null,
    metadata: mergeMetadata({}, metadata),
    created_at: now,
    updated_at: now,
  };
  state.addUser(user);
  return { status: 201, body: userJson(user) };
}

function updateUser({ state, body, params }: RequestContext) {
  const user = requireUser(state, params.id ?? '');
  const reader = new BodyReader(body);
  const email = reader.string('email', { maxLength: 320, pattern: EMAIL_PATTERN, patternHint: 'an email address' });
  const firstName = reader.string('first_name', { nullable: true, maxLength: 255 });
  const lastName = reader.string('last_name', { nullable: true, maxLength: 255 });
  const name = reader.string('name', { nullable: true, maxLength: 255 });
  const emailVerified = reader.boolean('email_verified');
  const externalId = reader.string('external_id', { nullable: true, maxLength: 128 });
  const locale = reader.string('locale', { nullable: true, maxLength: 35 });
  const metadata = reader.metadata('metadata');
  readPasswordFields(reader);
  reader.done();

  if (email !== undefined && email !== null && email.toLowerCase() !== user.email.toLowerCase() && state.findUserByEmail(email) !== undefined) {
    throw badRequest('email_not_available', `The email ${email} is not available.`);
  }
  if (externalId !== undefined && externalId !== null) {
    const holder = state.findUserByExternalId(externalId);
    if (holder !== undefined && holder.id !== user.id) {
      throw badRequest('external_id_already_used', `external_id '${externalId}' is already used by another user.`);
    }
  }

  state.setUserKeys(user, email ?? user.email, externalId === undefined ? user.external_id : externalId);
  if (firstName !== undefined) {
    user.first_name = firstName;
  }
  if (lastName !== undefined) {
    user.last_name = lastName;
  }
  if (name !== undefined) {
    user.name = name;
  }
  if (emailVerified !== undefined) {
    user.email_verified = emailVerified;
  }
  if (locale !== undefined) {
    user.locale = locale;
  }
  user.metadata = mergeMetadata(user.metadata, metadata);
  user.updated_at = timestamp();
  return { status: 200, body: userJson(user) };
}

function listUsers({ state, query }: RequestContext) {
  const page = readPageRequest(query);
  const email = query.get('email')?.toLowerCase() ?? '';
  const organizationId = query.get('organization_id') ?? query.get('organization') ?? '';
  let users: Iterable<User> = state.users.values();

  if (organizationId !== '') {
    users = [...state.membershipIdsOfOrganization(organizationId)]
      .map((membershipId) => state.memberships.get(membershipId)?.user_id)
      .map((userId) => (userId === undefined ? undefined : state.users.get(userId)))
      .filter((user): user is User => user !== undefined);
  }
  const filtered = [...users].filter((user) => email === '' || user.email.toLowerCase() === email);
  return { status: 200, body: paginate(state, filtered, page, userJson) };
}

/** Registers the user routes. */
export function registerUserRoutes(router: Router): void {
  router.add('GET', '/user_management/users', listUsers);
  router.add('POST', '/user_management/users', createUser);
  router.add('GET', '/user_management/users/external_id/:externalId', ({ state, params }) => {
    const externalId = params.externalId ?? '';
    const user = state.findUserByExternalId(externalId);
    if (user === undefined) {
      throw new ApiError(404, { message: `User not found with external_id '${externalId}'.`, code: 'entity_not_found' });
    }
    return { status: 200, body: userJson(user) };
  });
  router.add('GET', '/user_management/users/:id', ({ state, params }) => ({ status: 200, body: userJson(requireUser(state, params.id ?? '')) }));
  router.add('PUT', '/user_management/users/:id', updateUser);
  router.add('DELETE', '/user_management/users/:id', ({ state, params }) => {
    requireUser(state, params.id ?? '');
    state.removeUser(params.id ?? '');
    return { status: 200 };
  });
}
