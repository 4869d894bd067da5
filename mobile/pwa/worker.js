// The app's dedicated Worker: the same wasm module as the page, which sees it runs in a
// Worker and opens the store (SQLite on OPFS), answers the page and syncs.
import init from "./ventanilla.js";

init({ module_or_path: "./ventanilla_bg.wasm" });
