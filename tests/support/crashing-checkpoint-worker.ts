/** Stands in for the checkpoint thread (cloud/db/checkpoint-worker.ts) in a test: it stops at once, as an uncaught error would stop it. */
throw new Error("the stand-in checkpoint thread stops");
