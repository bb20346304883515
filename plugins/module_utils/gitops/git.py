# -*- coding: utf-8 -*-
# Copyright: hubspoke.multicluster contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A throw-away clone of one branch, to commit a change and push it (the git CLI, through run_command).

ansible.builtin.git clones and updates but never commits or pushes, so a GitOps change needs this. Git's own
configuration of the controller (SSH keys, credential helpers, GIT_SSH_COMMAND) authenticates; nothing here
handles a secret.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import shutil
import tempfile


class GitError(RuntimeError):
    """A git command failed; the message has the command and what git printed."""


class GitCheckout:
    def __init__(self, module, repo, branch):
        self.module = module
        self.repo = repo
        self.branch = branch
        # realpath: path() compares against it, and the temporary folder may be reached through a link.
        self.workdir = os.path.realpath(tempfile.mkdtemp(prefix="hubspoke-gitops-"))
        # `--`: a repository URL that starts with a dash is a URL, not an option.
        self.git("clone", "--quiet", "--depth", "1", "--branch", branch, "--", repo, self.workdir, cwd=None)

    def _run(self, args, cwd):
        """(rc, stdout, stderr) of one git command that never prompts."""
        return self.module.run_command(["git", *args], cwd=cwd, environ_update={"GIT_TERMINAL_PROMPT": "0"})

    def git(self, *args, **kwargs):
        rc, out, err = self._run(args, kwargs.get("cwd", self.workdir))
        if rc != 0:
            raise GitError("git {0} failed: {1}".format(args[0], (err or out).strip()))
        return out.strip()

    def path(self, relative):
        """The absolute path of `relative`, refusing anything outside the checkout."""
        full = os.path.realpath(os.path.join(self.workdir, relative))
        if full != self.workdir and not full.startswith(self.workdir + os.sep):
            raise GitError("path {0!r} is outside the repository".format(relative))
        return full

    def head(self):
        return self.git("rev-parse", "HEAD")

    def commit_and_push(self, message, author_name, author_email):
        """Commit everything changed and push it; False if the remote moved meanwhile (the caller retries)."""
        self.git("-c", "user.name=" + author_name, "-c", "user.email=" + author_email,
                 "commit", "--quiet", "--all", "--message", message)
        rc, _out, err = self._run(["push", "--quiet", "origin", "HEAD:" + self.branch], self.workdir)
        if rc == 0:
            return True
        if "rejected" in err or "fetch first" in err or "non-fast-forward" in err:
            return False
        raise GitError("git push failed: {0}".format(err.strip()))

    def close(self):
        shutil.rmtree(self.workdir, ignore_errors=True)
