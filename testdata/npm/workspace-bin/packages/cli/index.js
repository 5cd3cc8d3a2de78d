module.exports = require("ms")("1s");
