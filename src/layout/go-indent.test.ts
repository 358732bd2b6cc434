import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indentGoJSON } from './go-indent.ts';

// Input and output of Go 1.19's json.Indent(dst, src, "", "   "), captured once from a Go run.
const input = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"a\",\"size\":12,\"digest\":\"sha256:00\",\"annotations\":{\"k{,:}\":\"v\\\"[]\\\\\\u003c\",\"é\":\"ü\"},\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.features\":[]}}],\"x\":{},\"y\":[[],{}],\"z\":null,\"n\":-1.5e3,\"t\":true}";
const goOutput = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n   \"manifests\": [\n      {\n         \"mediaType\": \"a\",\n         \"size\": 12,\n         \"digest\": \"sha256:00\",\n         \"annotations\": {\n            \"k{,:}\": \"v\\\"[]\\\\\\u003c\",\n            \"é\": \"ü\"\n         },\n         \"platform\": {\n            \"architecture\": \"amd64\",\n            \"os\": \"linux\",\n            \"os.features\": []\n         }\n      }\n   ],\n   \"x\": {},\n   \"y\": [\n      [],\n      {}\n   ],\n   \"z\": null,\n   \"n\": -1.5e3,\n   \"t\": true\n}";

test('indents byte for byte as Go json.Indent with three spaces', () => {
  assert.equal(indentGoJSON(Buffer.from(input)).toString('utf8'), goOutput);
});

test('structural characters inside strings are left alone; whitespace outside is dropped', () => {
  assert.equal(indentGoJSON(Buffer.from('{ "a{" : [ ] }')).toString(), '{\n   "a{": []\n}');
  assert.equal(indentGoJSON(Buffer.from('[]')).toString(), '[]');
});
