// Test program: blocks its event loop before it ever listens.
for (;;) {
  // an endless start-up
}
