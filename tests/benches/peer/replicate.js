// The peer side of `cargo bench -p tests --bench peer`: PouchDB on the "phone" replicating
// to pouchdb-server, as a team building on PouchDB would sync. Run by the bench, with
// pouchdb-node installed in a scratch folder (never committed).
//   node replicate.js first <docs.jsonl> <local db dir> <remote db url>
//   node replicate.js again <local db dir> <remote db url>
// `first` loads the documents into a new local PouchDB (LevelDB on disk; not timed), then
// times one replication to the remote database; `again` times a replication of the same
// local database (nothing new). Prints one JSON line.
const fs = require('fs');
const PouchDB = require('pouchdb-node');

async function main() {
  const mode = process.argv[2];
  const [docsFile, localDir, remote] = mode === 'first' ? process.argv.slice(3) : [null, ...process.argv.slice(3)];
  const local = new PouchDB(localDir);
  let docs = 0;
  if (docsFile) {
    const all = fs.readFileSync(docsFile, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
    for (let i = 0; i < all.length; i += 500) {
      await local.bulkDocs(all.slice(i, i + 500));
    }
    docs = all.length;
  }
  const started = process.hrtime.bigint();
  const result = await local.replicate.to(remote);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await local.close();
  console.log(JSON.stringify({ docs, written: result.docs_written, ms }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
