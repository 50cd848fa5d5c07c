// Package filename turns the bytes a file-server client sends into a file
// name that is confined to the server's root folder, and opens it there.
//
// Two walls stand between a client and the rest of the machine:
//
//  1. Parse refuses, before any system call, what is never a file name here:
//     an empty line, NUL and other control bytes, invalid UTF-8, absolute
//     paths, any ".." element, names longer than MaxLen.
//  2. Open resolves the name with an [os.Root], which the kernel-side walk
//     keeps inside the root: a symlink that points out of it (or a ".."
//     smuggled through a symlink) fails with an error instead of opening.
//
// Parse alone would not be enough (a symlink inside the root can point
// anywhere), and os.Root alone would give poor error lines; together they
// refuse early and cheaply, and stay correct when the first wall has a hole.
//
// # Simplifications
//
//   - NOTE: no percent-decoding or quoting: the name is the line, byte for byte.
//   - NOTE: a production file server also limits which files are served
//     (no dot files, a MIME type, a size cap); this one serves any regular file
//     under the root.
package filename
