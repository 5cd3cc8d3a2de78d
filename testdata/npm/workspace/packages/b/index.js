module.exports = require("@demo/a") + require("ms")("1s");
