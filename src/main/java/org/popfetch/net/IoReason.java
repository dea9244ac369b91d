package org.popfetch.net;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * An I/O failure in the few words an admin needs. The JDK's file exceptions carry the path as their
 * message and the reason separately, or not at all ("cannot append to /var/mail/x: /var/mail/x");
 * callers already name the path, so this gives the why. Not escaped: whoever prints it escapes it,
 * once.
 */
public final class IoReason {
  private IoReason() {}

  public static String of(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    } else if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    } else if (e instanceof NotDirectoryException) {
      return "not a directory";
    } else if (e instanceof FileAlreadyExistsException) {
      return "a file of that name is in the way";
    } else if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
