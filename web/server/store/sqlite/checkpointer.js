// WAL checkpoints off the request path. SQLite's default copies the WAL back into the database
// file from inside the COMMIT that crosses 1,000 WAL pages, and with synchronous=NORMAL that is
// the one moment it fsyncs: about one commit in a hundred then took 10-30 ms on the event loop,
// 80-90% of all commit time under load. Here the server's connection never checkpoints
// (wal_autocheckpoint = 0); a worker thread with its own connection runs a PASSIVE checkpoint
// (never blocks a writer or a reader) every `intervalMs`, so the fsync waits in that thread.
// Durability class unchanged: WAL + synchronous=NORMAL, a process crash loses nothing committed;
// a power loss or OS crash may lose the commits since the last checkpoint, now at most about
// `intervalMs` of them (before: up to 1,000 WAL pages, however long those took to fill).
// Own code: a few lines around better-sqlite3; no maintained package does this.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export const CHECKPOINT_INTERVAL_MS = 250;

if (!isMainThread && workerData?.orderflowCheckpointer) {
  const db = new Database(workerData.file, { fileMustExist: true });
  const tick = () => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      /* locked or busy: the next tick tries again */
    }
  };
  const timer = setInterval(tick, workerData.intervalMs);
  parentPort.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    tick();
    db.close();
    parentPort.close();
  });
}

// Starts the checkpointer for `db` (a file database in WAL mode): -> {stop(): Promise}, or null.
export function startCheckpointer(db, { intervalMs = CHECKPOINT_INTERVAL_MS } = {}) {
  if (db.memory || db.pragma('journal_mode', { simple: true }) !== 'wal') return null;
  const worker = new Worker(new URL(import.meta.url), { workerData: { orderflowCheckpointer: true, file: db.name, intervalMs } });
  worker.unref(); // never keeps the process alive
  db.pragma('wal_autocheckpoint = 0');
  let exited = false;
  const gone = new Promise((resolve) =>
    worker.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  worker.on('error', (e) => {
    // Without it the WAL would only grow: checkpoint on commit again, as SQLite does by default.
    console.error('orderflow: the WAL checkpointer failed; checkpointing on commit again', e);
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  });
  return {
    stop() {
      if (!exited) {
        worker.ref(); // closing waits for its last checkpoint: the process stays up until then
        worker.postMessage('stop');
      }
      return gone;
    },
  };
}
