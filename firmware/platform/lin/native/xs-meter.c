/*
 * What the XS machine holds, read from its own counters (xsAll.h), for `npm run bench:memory`.
 * The SDK's `instrumentation` module reports the current slot and chunk heaps but not their
 * peaks, which is what a fixed ESP32 heap must hold; this reads both, after a collection.
 */
#include "xsAll.h"
#include "xs.h"

static void set(xsMachine* the, const char* name, txInteger value)
{
	xsSet(xsResult, xsID((char*)name), xsInteger(value));
}

void sw_xs_meter(xsMachine* the)
{
	txMachine* machine = (txMachine*)the;
	xsCollectGarbage();
	xsResult = xsNewObject();
	set(the, "slotBytes", (txInteger)sizeof(txSlot));
	set(the, "slots", (txInteger)machine->currentHeapCount);
	set(the, "slotsPeak", (txInteger)machine->peakHeapCount);
	set(the, "chunks", (txInteger)machine->currentChunksSize);
	set(the, "chunksPeak", (txInteger)machine->peakChunksSize);
	set(the, "keys", (txInteger)(machine->keyIndex - machine->keyOffset));
#ifdef mxInstrument
	set(the, "stackPeak", (txInteger)(machine->stackTop - machine->stackPeak));
	set(the, "modules", (txInteger)machine->loadedModulesCount);
	set(the, "collections", (txInteger)machine->garbageCollectionCount);
#endif
	set(the, "stack", (txInteger)(machine->stackTop - machine->stackBottom));
}
