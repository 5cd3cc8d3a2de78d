module.exports = "the workspace ms";
