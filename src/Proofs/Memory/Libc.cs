using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kiln.Proofs.Memory;

/// <summary>The few Linux calls the memory code needs (x86-64 and arm64 share these constants).</summary>
internal static unsafe partial class Libc
{
    public const int ProtRead = 0x1;
    public const int ProtWrite = 0x2;
    public const int MapShared = 0x01;
    public const int MapLocked = 0x2000;
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int WouldBlock = 11;

    public static readonly nint MapFailed = -1;

    [LibraryImport("libc", SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int munmap(void* address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(SafeFileHandle fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int fallocate(SafeFileHandle fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sched_getcpu();

    [LibraryImport("libc", SetLastError = true)]
    public static partial int sched_setaffinity(int pid, nuint size, ulong* mask);

    /// <summary>The message for the last error of a <c>SetLastError</c> call.</summary>
    public static string LastError() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
}
