import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from './harness.ts';

describe('GET /healthz', () => {
  it('says the process is alive', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.ok(response.headers['x-request-id']);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  it('stays 200 while draining: liveness is not readiness', async (t) => {
    const { app, lifecycle } = buildTestApp(t);
    lifecycle.draining = true;
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  });
});

describe('GET /readyz', () => {
  it('is ready by default', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(response.json(), { status: 'ready' });
  });

  it('answers 503 while draining, following the lifecycle object', async (t) => {
    const { app, lifecycle } = buildTestApp(t);
    await app.ready();
    lifecycle.draining = true;
    const draining = await app.inject({ url: '/readyz' });
    assert.equal(draining.statusCode, 503);
    assert.deepEqual(draining.json(), { status: 'draining' });
    lifecycle.draining = false;
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  });

  it('supports HEAD', async (t) => {
    const { app, lifecycle } = buildTestApp(t);
    lifecycle.draining = true;
    const response = await app.inject({ method: 'HEAD', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    assert.equal(response.body, '');
  });
});
