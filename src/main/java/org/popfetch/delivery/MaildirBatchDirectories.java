package org.popfetch.delivery;

/** The Maildir directories a batch is written through; {@link #run} closes them. */
final class MaildirBatchDirectories implements Runnable {
  DirectoryHandle tmp;
  DirectoryHandle newDir;
  int staged;

  @Override
  public void run() {
    if (tmp != null) {
      tmp.close();
      newDir.close();
    }
    tmp = null;
    newDir = null;
    staged = 0;
  }
}
