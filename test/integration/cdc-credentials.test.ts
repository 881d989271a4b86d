// Credentials of `tributary cdc`: database.password given with a database.url overrides the URL's password (or
// supplies a missing one), a refused login fails at once with a clear message and a non-zero exit, and no output of
// any run (log lines, error messages, bad URLs, a broken config file) contains a password.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomName } from '../env/services.js';
import { cdcContext, killCdcChildren, payload, startCdcChild, writeCdcConfig, type CdcChild, type CdcTestContext } from './cdc-helpers.js';

let ctx: CdcTestContext;
const role = randomName('cdc_cred_role');
// distinct from every name in the test, so finding it in the output can only mean the password leaked
const password = `Pw-${randomBytes(9).toString('base64url')}`;
const wrongPassword = `Wrong-${randomBytes(9).toString('base64url')}`;
const outputs: string[] = [];

beforeAll(async () => {
  ctx = await cdcContext('cdc_cred');
  await ctx.db.query(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD '${password}'`);
  await ctx.db.query(`ALTER SCHEMA ${ctx.prefix} OWNER TO ${role}`);
  const db = (await ctx.db.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d;
  await ctx.db.query(`GRANT CREATE ON DATABASE ${db} TO ${role}`); // CREATE PUBLICATION
  await ctx.db.query(`CREATE TABLE ${ctx.prefix}.accounts (id int PRIMARY KEY, owner text)`);
  await ctx.db.query(`ALTER TABLE ${ctx.prefix}.accounts OWNER TO ${role}`);
});
afterAll(async () => {
  killCdcChildren();
  // hand the role's schema, table and publication back, so the usual cleanup drops them
  await ctx.db.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`);
  await ctx.db.query(`DROP OWNED BY ${role}`);
  await ctx.db.query(`DROP ROLE ${role}`);
  await ctx.cleanup();
});

/** The shared server's URL with another user and password (or none). */
function urlWith(user: string, pass: string | null): string {
  const url = new URL(String(ctx.config()['database.url']));
  url.username = user;
  url.password = pass === null ? '' : encodeURIComponent(pass);
  return url.toString();
}

async function finished(child: CdcChild): Promise<{ code: number | null; output: string }> {
  const { code } = await child.exited;
  outputs.push(child.output());
  return { code, output: child.output() };
}

describe('tributary cdc credentials', () => {
  it('takes database.password over the URL password and over a URL without one', async () => {
    const topic = `${ctx.prefix}.${ctx.prefix}.accounts`;
    await ctx.db.query(`INSERT INTO ${ctx.prefix}.accounts SELECT g, 'o' || g FROM generate_series(1, 10) g`);
    const plain = { 'key.converter.schemas.enable': false, 'value.converter.schemas.enable': false };
    // the URL's password is wrong: database.password must win
    const first = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'database.url': urlWith(role, wrongPassword), 'database.password': password })));
    await first.waitForOutput(/streaming started/);
    await ctx.db.query(`INSERT INTO ${ctx.prefix}.accounts SELECT g, 'o' || g FROM generate_series(11, 20) g`);
    expect((await ctx.readTopic(topic, 20)).map((r) => (payload(r) as { after: { id: number } }).after.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    first.process.kill('SIGTERM');
    expect((await finished(first)).code).toBe(0);

    // no password in the URL at all
    const second = startCdcChild(await writeCdcConfig(ctx.config({ ...plain, 'database.url': urlWith(role, null), 'database.password': password })));
    await second.waitForOutput(/streaming started/);
    await ctx.db.query(`INSERT INTO ${ctx.prefix}.accounts VALUES (21, 'o21')`);
    expect(await ctx.readTopic(topic, 21)).toHaveLength(21);
    second.process.kill('SIGTERM');
    expect((await finished(second)).code).toBe(0);
  });

  it('fails at once with a clear error and a non-zero exit when the login is refused', async () => {
    const startedAt = Date.now();
    const child = startCdcChild(await writeCdcConfig(ctx.config({ 'database.url': urlWith(role, null), 'database.password': wrongPassword })));
    const { code, output } = await finished(child);
    console.log(`[cdc] refused login: exit ${code} after ${Date.now() - startedAt} ms`);
    expect(code).not.toBe(0);
    expect(output).toMatch(new RegExp(`refused the login of user ${role}.*check database.user and database.password`));
    expect(output).not.toMatch(/retriable error/); // a refused login is not retried
  });

  it('says nothing of the password when the URL or the file is broken', async () => {
    const badUrls = [`postgres://${role}:${password}@[::1/db`, `mysql://${role}:${password}@localhost/db`];
    for (const url of badUrls) {
      const { code, output } = await finished(startCdcChild(await writeCdcConfig(ctx.config({ 'database.url': url }))));
      expect(code).not.toBe(0);
      expect(output).toMatch(/database.url/);
    }
    const brokenFile = `{"topic.prefix": "p", "database.password": "${password}", "database.user": }`;
    const { code, output } = await finished(startCdcChild(await writeCdcConfig(brokenFile)));
    expect(code).not.toBe(0);
    expect(output).toMatch(/not valid JSON/);
  });

  it('never wrote a password', () => {
    expect(outputs.length).toBe(6);
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [password, wrongPassword, encodeURIComponent(password), encodeURIComponent(wrongPassword)]) expect(all).not.toContain(secret);
  });
});
