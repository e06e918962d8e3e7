// The same no-op function the invoke benchmark deploys on Tally.
exports.handler = async () => ({ ok: true });
