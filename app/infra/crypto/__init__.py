"""Secrets at rest: the master key, instance/.env.crypto and the data keys.

Every value in `.env.crypto` is a Fernet token under the master key, which
comes from MARQUEE_MASTER_KEY or `instance/master.key` and never sits in that
file. Besides the operator's secrets (SECRET_KEY, DATABASE_URL, …) the file
holds versioned data keys for encrypted columns and which one is active. The
`Keyring` built from them encrypts and decrypts column values.

keys: the master key · environment: the file · keyring: the data keys ·
setup: the first `init` · rekey: a new master key · secret_key: SECRET_KEY.
"""

from .bootstrap import Setup, check_nothing_lost, initialize, undo_initialize
from .environment import (
    ACTIVE_DATA_KEY,
    DATA_KEY_PREFIX,
    END_MARKER,
    FINGERPRINT_HEADER,
    NAME_PATTERN,
    SECRETS_FILE,
    EncryptedEnvironment,
    Loaded,
    archive_pruned_keys,
    archives,
    check_secret_name,
    file_fingerprint,
    is_reserved,
    load,
    locked,
    open_during_rekey,
    render,
    secrets_path,
)
from .keyring import Keyring, file_stamp, split_stored
from .keys import (
    MASTER_KEY_FILE,
    MASTER_KEY_VARIABLE,
    CryptoError,
    MasterKey,
    check_private,
    generate_master_key,
    master_key_path,
    parse_master_key,
    pending_master_key_path,
    read_master_key,
)
from .rekey import Rekeyed, finish_rekey, rekey, rewrap_archives
from .secret_key import (
    INSECURE_SECRET_KEY,
    MIN_SECRET_KEY_LENGTH,
    PlaintextSecretKey,
    new_secret_key,
    plaintext_secret_keys,
    remove_secret_key,
)

__all__ = [
    "ACTIVE_DATA_KEY",
    "DATA_KEY_PREFIX",
    "END_MARKER",
    "FINGERPRINT_HEADER",
    "INSECURE_SECRET_KEY",
    "MASTER_KEY_FILE",
    "MASTER_KEY_VARIABLE",
    "MIN_SECRET_KEY_LENGTH",
    "NAME_PATTERN",
    "SECRETS_FILE",
    "CryptoError",
    "EncryptedEnvironment",
    "Keyring",
    "Loaded",
    "MasterKey",
    "PlaintextSecretKey",
    "Rekeyed",
    "Setup",
    "archive_pruned_keys",
    "archives",
    "check_nothing_lost",
    "check_private",
    "check_secret_name",
    "file_fingerprint",
    "file_stamp",
    "finish_rekey",
    "generate_master_key",
    "initialize",
    "is_reserved",
    "load",
    "locked",
    "master_key_path",
    "new_secret_key",
    "open_during_rekey",
    "parse_master_key",
    "pending_master_key_path",
    "plaintext_secret_keys",
    "read_master_key",
    "rekey",
    "remove_secret_key",
    "render",
    "rewrap_archives",
    "secrets_path",
    "split_stored",
    "undo_initialize",
]
