using System.Runtime.InteropServices;

namespace Kiln.Worker.Run;

/// <summary>
/// Sets a variable where native libraries read it: .NET keeps its own copy of the environment on Unix, so
/// libfilcrypto's <c>getenv</c> sees only what the C library's <c>setenv</c> wrote.
/// </summary>
public static class NativeEnvironment
{
    /// <summary>Sets <paramref name="name"/> for this process's managed code and, on Unix, for its native libraries.</summary>
    /// <exception cref="InvalidOperationException">The C library refused the variable.</exception>
    public static void Set(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Environment.SetEnvironmentVariable(name, value);
        if (!OperatingSystem.IsWindows() && SetEnv(CString(name), CString(value), 1) != 0)
        {
            throw new InvalidOperationException($"could not set {name} for the proofs library: setenv failed ({Marshal.GetLastPInvokeError()})");
        }
    }

    /// <summary>The C library's view of a variable (what libfilcrypto reads); null when unset.</summary>
    public static string? Get(string name) =>
        OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable(name) : Marshal.PtrToStringUTF8(GetEnv(CString(name)));

    /// <summary>A NUL-terminated UTF-8 string, passed pinned (byte arrays need no marshalling code).</summary>
    private static byte[] CString(string s) => System.Text.Encoding.UTF8.GetBytes(s + "\0");

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetEnv(byte[] name, byte[] value, int overwrite);

    [DllImport("libc", EntryPoint = "getenv")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr GetEnv(byte[] name);
}
