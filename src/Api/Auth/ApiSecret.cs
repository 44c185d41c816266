using System.Security.Cryptography;
using System.Text.Json;

namespace Kiln.Api.Auth;

/// <summary>
/// The 32-byte HMAC secret that signs a node's API tokens, kept as lotus keeps it: a keystore entry
/// named <c>auth-jwt-private</c> of type <c>jwt-hmac-secret</c>, in a file whose name is that name in
/// unpadded base32 (<c>MF2XI2BNNJ3XILLQOJUXMYLUMU</c>) holding lotus's KeyInfo JSON
/// <c>{"Type":"jwt-hmac-secret","PrivateKey":"&lt;base64&gt;"}</c>.
/// </summary>
public sealed class ApiSecret
{
    public const string KeyName = "auth-jwt-private";
    public const string KeyType = "jwt-hmac-secret";
    public const string KeystoreFileName = "MF2XI2BNNJ3XILLQOJUXMYLUMU";
    public const int Size = 32;

    private readonly byte[] _key;

    public ApiSecret(ReadOnlySpan<byte> key)
    {
        if (key.Length == 0)
        {
            throw new ArgumentException("An API secret cannot be empty.", nameof(key));
        }

        _key = key.ToArray();
    }

    public ReadOnlySpan<byte> Key => _key;

    public static ApiSecret Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Signs a token allowing <paramref name="permissions"/> (lotus <c>AuthNew</c>), valid until <paramref name="expires"/> when given.</summary>
    public string CreateToken(IEnumerable<string> permissions, DateTimeOffset? expires = null) => LotusToken.Create(_key, permissions, expires);

    /// <summary>lotus <c>AuthVerify</c>: the token's permissions (an <c>exp</c> claim is checked against <paramref name="time"/>).</summary>
    /// <exception cref="AuthVerificationException">The token does not verify or has expired.</exception>
    public IReadOnlyList<string> Verify(string token, TimeProvider? time = null) => LotusToken.Verify(_key, token, time);

    public string ToKeyInfoJson() =>
        JsonSerializer.Serialize(new KeyInfo { Type = KeyType, PrivateKey = _key });

    public static ApiSecret FromKeyInfoJson(string json)
    {
        var info = JsonSerializer.Deserialize<KeyInfo>(json) ?? throw new FormatException("keystore entry is null");
        if (info.Type != KeyType)
        {
            throw new FormatException($"keystore entry has type '{info.Type}', expected '{KeyType}'");
        }

        return new ApiSecret(info.PrivateKey ?? throw new FormatException("keystore entry has no PrivateKey"));
    }

    /// <summary>Reads <c>keystore/MF2XI2BNNJ3XILLQOJUXMYLUMU</c>, creating it (mode 0600) with a fresh secret when absent.</summary>
    public static ApiSecret LoadOrCreate(string keystoreDirectory)
    {
        var path = Path.Combine(keystoreDirectory, KeystoreFileName);
        if (File.Exists(path))
        {
            return FromKeyInfoJson(File.ReadAllText(path));
        }

        Directory.CreateDirectory(keystoreDirectory);
        var secret = Generate();
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var f = new StreamWriter(path, options))
        {
            f.Write(secret.ToKeyInfoJson());
        }

        return secret;
    }

    private sealed class KeyInfo
    {
        public string? Type { get; set; }

        public byte[]? PrivateKey { get; set; }
    }
}
