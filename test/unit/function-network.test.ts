import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { deniedRanges } from '../../executor/sandbox/network.js';

describe("the ranges a function's network may not reach", () => {
  it("hold every cloud's metadata service, every address of this host, and the operator's own", () => {
    const denied = deniedRanges(['10.0.0.0/8']);
    expect(denied).toEqual(expect.arrayContaining(['169.254.0.0/16', '100.100.100.200/32', '10.0.0.0/8']));
    const host = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => `${a!.address}/32`);
    expect(denied).toEqual(expect.arrayContaining(host));
    expect(new Set(denied).size).toBe(denied.length);
  });
});
