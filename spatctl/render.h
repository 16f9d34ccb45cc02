/* SPDX-License-Identifier: MIT */
/* render.h - print a daemon's JSON reply as aligned tables and key: value lines. */
#ifndef SPATCTL_RENDER_H
#define SPATCTL_RENDER_H

#include <stdio.h>

#include "json.h"

/*
 * render() - print reply j for a person: scalar members as "key: value"
 * lines, nested objects as an indented block, arrays of objects as a table
 * with one column per key of the first row.  Nothing daemon-specific: a new
 * request needs no code here.
 */
void render(const struct json *j, FILE *out);

#endif
