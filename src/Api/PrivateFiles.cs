namespace Kiln.Api;

/// <summary>
/// Files and directories only their owner may read: repo directories (0700) and the token and secret files in them
/// (0600). A file is created with its mode, so it is never readable by others even for a moment; an existing file or
/// directory left open by an older version is narrowed.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> with mode 0600.</summary>
    public static void Write(string path, string text)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using (var f = new StreamWriter(path, options))
        {
            f.Write(text);
        }

        Narrow(path);
    }

    /// <summary>Sets an existing file's mode to 0600.</summary>
    public static void Narrow(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, FileMode);
        }
    }

    /// <summary>Creates <paramref name="path"/> (and its parents) and sets its mode to 0700.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirectoryMode);
        File.SetUnixFileMode(path, DirectoryMode);
    }
}
