/**
 * @module Test helper: the built-in Engine API client with every call counted by name, as a
 * user's own `Client` (ggcr's `WithClient`) would be passed in. Used against the fake engine and
 * a real dockerd alike.
 */
import type { Client } from './client.ts';
import { newClient } from './engine-client.ts';

/** The built-in client for `host`, recording each call's name in `calls`. */
export function countingClient(host: string): { client: Client; calls: string[] } {
  const inner = newClient({ host });
  const calls: string[] = [];
  const client: Client = {
    ping: (o) => (calls.push('ping'), inner.ping(o)),
    imageInspect: (r, o) => (calls.push('inspect'), inner.imageInspect(r, o)),
    imageHistory: (r, o) => (calls.push('history'), inner.imageHistory(r, o)),
    imageSave: (r, o) => (calls.push('save'), inner.imageSave(r, o)),
    imageLoad: (t, o) => (calls.push('load'), inner.imageLoad(t, o)),
    imageTag: (s, r, t, o) => (calls.push('tag'), inner.imageTag(s, r, t, o)),
  };
  return { client, calls };
}
