// Test program: stays alive but never prints the ready line.
setInterval(() => {}, 1000);
