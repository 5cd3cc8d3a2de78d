#!/usr/bin/env node
console.log("lvl2");
