// Placeholder until the job worker lands.
setInterval(() => {}, 1 << 30);
