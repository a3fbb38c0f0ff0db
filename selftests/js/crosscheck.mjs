// crosscheck.mjs - decode klp-bundle files with an independent CBOR
// implementation (npm cbor2, deterministic "CDE" decoding: shortest
// heads, sorted unique keys, no indefinite lengths, no trailing bytes),
// three levels deep (container, manifest, core), and check that
// re-encoding in deterministic mode gives the same bytes.
//
// usage: node crosscheck.mjs FILE...   prints one line per file:
//   ok FILE name=N version=V targets=T sigs=S    or    reject FILE: reason
import { readFileSync } from 'node:fs';
import { decode, encode, cdeDecodeOptions, cdeEncodeOptions } from 'cbor2';

const MAGIC = Buffer.from([0x89, 0x4b, 0x4c, 0x50, 0x42, 0x0d, 0x0a, 0x1a]);
const opts = { ...cdeDecodeOptions, preferMap: true, boxed: false };

function noFloats(x, path) {
  if (typeof x === 'number' && !Number.isInteger(x)) throw new Error(`float at ${path}`);
  if (x instanceof Map) for (const [k, v] of x) { noFloats(k, path); noFloats(v, `${path}.${k}`); }
  else if (Array.isArray(x)) x.forEach((v, i) => noFloats(v, `${path}[${i}]`));
  else if (x && typeof x === 'object' && 'contents' in x) noFloats(x.contents, path);
}

function level(bytes, what) {
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const v = decode(bytes, opts);
  noFloats(v, what);
  const again = Buffer.from(encode(v, cdeEncodeOptions));
  if (!again.equals(Buffer.from(bytes)))
    throw new Error(`${what}: deterministic re-encoding differs`);
  return v;
}

for (const f of process.argv.slice(2)) {
  try {
    const buf = readFileSync(f);
    if (!buf.subarray(0, 8).equals(MAGIC)) throw new Error('bad magic');
    const c = level(buf.subarray(8), 'container');
    const m = level(c.get(1), 'manifest');
    const core = level(m.get(1), 'core');
    const sigs = c.get(4);
    console.log(`ok ${f} name=${core.get(0)} version=${core.get(1)} ` +
                `targets=${core.get(8).length} payloads=${c.get(2).length} sigs=${sigs.length}`);
  } catch (e) {
    console.log(`reject ${f}: ${String(e.message).split('\n')[0]}`);
  }
}
