import type { Cluster, Redis } from 'ioredis';
import { parseEntityKey, parseGrantMember, syncKeys, type SyncKeys } from './keys.js';
import type { DesiredRecord, SyncTicket } from './types.js';

/**
 * One write of a recorded change. Every entity named by `e` gets its version
 * raised once per change, however many operations touch it.
 */
export interface RecordOperation {
  /** Entity key. */
  e: string;
  exists?: '1' | '0';
  /** Kind-specific desired fields as JSON. */
  data?: string;
  /** Grant set changes of a membership. */
  grantAdd?: string;
  grantRemove?: string;
  grantClear?: true;
  /** URI-encoded user id whose membership index gains `e`. */
  indexUser?: string;
  /** URI-encoded user id whose memberships are all marked as removed. */
  removeMembershipsOf?: string;
  /** Fail the whole change unless `e` currently exists. */
  requireExists?: true;
  /** Entity key of a resource's parent, or `''` for a top-level resource; keeps the children index. */
  parentKey?: string;
  /** Marks every recorded descendant of the resource `e` as deleted too. */
  cascade?: true;
}

/** Raised by the record script when `requireExists` does not hold. */
export class MissingEntityError extends Error {
  constructor(readonly entity: string) {
    super(`[fgakit] ${entity} does not exist in the desired state.`);
    this.name = 'MissingEntityError';
  }
}

// Records a change: all writes, version bumps and lagging marks in one script,
// so a change is recorded whole or not at all.
// KEYS[1] lagging set. ARGV: state prefix, now (ms), operations JSON.
const RECORD_SCRIPT = `
local prefix = ARGV[1]
local now = ARGV[2]
local ops = cjson.decode(ARGV[3])
local touched = {}
local order = {}

local function touch(e)
  if not touched[e] then
    touched[e] = true
    order[#order + 1] = e
  end
end

for _, op in ipairs(ops) do
  if op.requireExists and redis.call('HGET', prefix .. 'e:' .. op.e, 'exists') ~= '1' then
    return redis.error_reply('FGAKIT_MISSING ' .. op.e)
  end
end

for _, op in ipairs(ops) do
  local h = prefix .. 'e:' .. op.e
  local g = prefix .. 'g:' .. op.e
  if op.exists then redis.call('HSET', h, 'exists', op.exists) end
  if op.data then redis.call('HSET', h, 'data', op.data) end
  if op.grantClear then redis.call('DEL', g) end
  if op.grantAdd then redis.call('SADD', g, op.grantAdd) end
  if op.grantRemove then redis.call('SREM', g, op.grantRemove) end
  if op.indexUser then redis.call('SADD', prefix .. 'um:' .. op.indexUser, op.e) end
  if op.parentKey then
    local previous = redis.call('HGET', h, 'parentKey')
    if previous and previous ~= '' then redis.call('SREM', prefix .. 'rc:' .. previous, op.e) end
    if op.parentKey ~= '' then redis.call('SADD', prefix .. 'rc:' .. op.parentKey, op.e) end
    redis.call('HSET', h, 'parentKey', op.parentKey)
  end
  if op.cascade then
    local pending = { op.e }
    local i = 1
    while i <= #pending do
      for _, child in ipairs(redis.call('SMEMBERS', prefix .. 'rc:' .. pending[i])) do
        if redis.call('HGET', prefix .. 'e:' .. child, 'exists') == '1' then
          redis.call('HSET', prefix .. 'e:' .. child, 'exists', '0')
          touch(child)
          pending[#pending + 1] = child
        end
      end
      i = i + 1
    end
  end
  if op.removeMembershipsOf then
    local members = redis.call('SMEMBERS', prefix .. 'um:' .. op.removeMembershipsOf)
    for _, m in ipairs(members) do
      if redis.call('HGET', prefix .. 'e:' .. m, 'exists') == '1' then
        redis.call('HSET', prefix .. 'e:' .. m, 'exists', '0')
        redis.call('DEL', prefix .. 'g:' .. m)
        touch(m)
      end
    end
  end
  touch(op.e)
end

local result = {}
for _, e in ipairs(order) do
  local h = prefix .. 'e:' .. e
  local version = redis.call('HINCRBY', h, 'version', 1)
  redis.call('HSET', h, 'updatedAt', now)
  redis.call('ZADD', KEYS[1], 'NX', now, e)
  result[#result + 1] = e
  result[#result + 1] = version
end
return result
`;

// Compare-and-set of the synced version. Returns 1 when the applied version is
// still the desired one (the entity is in sync), 0 when it moved meanwhile.
// KEYS: entity hash, lagging set. ARGV: version, entity key.
const MARK_SYNCED_SCRIPT = `
local v = tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
local synced = tonumber(redis.call('HGET', KEYS[1], 'synced') or '0')
if v > synced then redis.call('HSET', KEYS[1], 'synced', v) end
local failed = tonumber(redis.call('HGET', KEYS[1], 'failedVersion') or '0')
if failed <= v then redis.call('HDEL', KEYS[1], 'failedVersion', 'failedReason') end
if current == v then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0
`;

// KEYS: entity hash. ARGV: version, reason.
const MARK_FAILED_SCRIPT = `
local v = tonumber(ARGV[1])
local synced = tonumber(redis.call('HGET', KEYS[1], 'synced') or '0')
if v > synced then
  redis.call('HSET', KEYS[1], 'failedVersion', v, 'failedReason', ARGV[2])
  return 1
end
return 0
`;

// KEYS: lock key. ARGV: token.
const UNLOCK_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Progress of one entity towards its desired state. */
export interface EntityProgress {
  version: number;
  synced: number;
  failedVersion: number;
  failedReason: string | undefined;
}

/**
 * The desired-state store in Redis: what the app wants WorkOS to hold, with a
 * version per entity, the synced version, and the WorkOS ids the worker
 * learned.
 */
export class DesiredStateStore {
  readonly keys: SyncKeys;

  constructor(
    readonly client: Redis | Cluster,
    prefix: string,
  ) {
    this.keys = syncKeys(prefix);
  }

  /**
   * Records a change atomically and returns its ticket.
   *
   * @throws MissingEntityError when an operation requires an entity that does not exist.
   */
  async record(operations: readonly RecordOperation[]): Promise<SyncTicket> {
    let reply: unknown;
    try {
      reply = await this.client.eval(RECORD_SCRIPT, 1, this.keys.lagging, this.keys.state, String(Date.now()), JSON.stringify(operations));
    } catch (error) {
      const entity = error instanceof Error ? /FGAKIT_MISSING (\S+)/.exec(error.message)?.[1] : undefined;
      if (entity !== undefined) {
        throw new MissingEntityError(entity);
      }

      throw error;
    }

    const flat = reply as (string | number)[];
    const changes: { entity: string; version: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      changes.push({ entity: String(flat[i]), version: Number(flat[i + 1]) });
    }

    return { changes };
  }

  /** Reads an entity's desired state, or `undefined` when nothing was recorded. */
  async read(key: string): Promise<DesiredRecord | undefined> {
    const reply = await this.client
      .multi()
      .hgetall(this.keys.entity(key))
      .smembers(this.keys.grants(key))
      .exec();

    const hash = (reply?.[0]?.[1] ?? {}) as Record<string, string>;
    const members = (reply?.[1]?.[1] ?? []) as string[];
    if (hash['version'] === undefined) {
      return undefined;
    }

    return {
      entity: parseEntityKey(key),
      key,
      exists: hash['exists'] === '1',
      data: hash['data'] === undefined ? {} : (JSON.parse(hash['data']) as Record<string, unknown>),
      grants: members.map(parseGrantMember),
      version: Number(hash['version']),
      synced: Number(hash['synced'] ?? '0'),
      failedVersion: Number(hash['failedVersion'] ?? '0'),
      failedReason: hash['failedReason'],
    };
  }

  /** Reads versions and failure of several entities. */
  async progress(keys: readonly string[]): Promise<EntityProgress[]> {
    const pipeline = this.client.pipeline();
    for (const key of keys) {
      pipeline.hmget(this.keys.entity(key), 'version', 'synced', 'failedVersion', 'failedReason');
    }

    const reply = (await pipeline.exec()) ?? [];
    return reply.map(([error, value]) => {
      if (error) {
        throw error;
      }

      const [version, synced, failedVersion, failedReason] = value as (string | null)[];
      return {
        version: Number(version ?? '0'),
        synced: Number(synced ?? '0'),
        failedVersion: Number(failedVersion ?? '0'),
        failedReason: failedReason ?? undefined,
      };
    });
  }

  /** Marks `version` synced; returns false when the desired version moved meanwhile. */
  async markSynced(key: string, version: number): Promise<boolean> {
    const reply = await this.client.eval(MARK_SYNCED_SCRIPT, 2, this.keys.entity(key), this.keys.lagging, String(version), key);
    return reply === 1;
  }

  /** Records that `version` cannot be applied, with the reason. */
  async markFailed(key: string, version: number, reason: string): Promise<void> {
    await this.client.eval(MARK_FAILED_SCRIPT, 1, this.keys.entity(key), String(version), reason);
  }

  /** Returns the WorkOS id learned for an entity. */
  async getId(key: string): Promise<string | undefined> {
    return (await this.client.hget(this.keys.ids, key)) ?? undefined;
  }

  /** Saves a learned WorkOS id. */
  async setId(key: string, id: string): Promise<void> {
    await this.client.hset(this.keys.ids, key, id);
  }

  /** Forgets learned WorkOS ids, for objects deleted from WorkOS. */
  async forgetIds(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) {
      await this.client.hdel(this.keys.ids, ...keys);
    }
  }

  /** Lists the membership keys recorded for a user. */
  async membershipsOf(userId: string): Promise<string[]> {
    return await this.client.smembers(this.keys.userMemberships(userId));
  }

  /** Lists entity keys whose synced version has lagged since before `before` (ms). */
  async lagging(before: number, limit: number): Promise<{ key: string; since: number }[]> {
    const flat = await this.client.zrangebyscore(this.keys.lagging, '-inf', String(before), 'WITHSCORES', 'LIMIT', 0, limit);
    const result: { key: string; since: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      result.push({ key: String(flat[i]), since: Number(flat[i + 1]) });
    }

    return result;
  }

  /** Counts entities whose synced version lags. */
  async laggingCount(): Promise<number> {
    return await this.client.zcard(this.keys.lagging);
  }

  /** Takes the per-entity lock; returns false when another run holds it. */
  async lock(key: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.client.set(this.keys.lock(key), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  /** Releases the per-entity lock if `token` still holds it. */
  async unlock(key: string, token: string): Promise<void> {
    await this.client.eval(UNLOCK_SCRIPT, 1, this.keys.lock(key), token);
  }
}
