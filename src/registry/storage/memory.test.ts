import { storageContract } from './contract.test-suite.ts';
import { createMemoryStorage } from './memory.ts';

storageContract('memory', async (t) => {
  const storage = createMemoryStorage();
  t.after(() => storage.close());
  return storage;
});
