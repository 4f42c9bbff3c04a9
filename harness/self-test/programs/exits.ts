// Test program: fails at start-up, before listening.
console.error('cannot start: something is missing');
process.exit(3);
