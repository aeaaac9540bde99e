//! The journal of finished jobs: an append-only file next to the output holding every finished
//! job's result (compressed chunks included). A killed run leaves it valid up to its last whole
//! record; `--resume` rebuilds the output from it and runs only the jobs it lacks.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};


const MAGIC: &[u8; 8] = b"ASDFJRN2";

/// A record's checksum: CRC-32 of the job key followed by the payload (libdeflate's, which runs
/// at memory speed).
fn checksum(job: &[u8], payload: &[u8]) -> u32 {
    let mut crc = libdeflater::Crc::new();
    crc.update(job);
    crc.update(payload);
    crc.sum()
}

/// One finished job as journalled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub(crate) job: String,
    pub(crate) payload: Vec<u8>,
}

/// An open journal, appending.
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    unsynced: usize,
}

impl Journal {
    /// Creates a new journal (fails if one exists).
    pub(crate) fn create(path: &Path) -> std::io::Result<Self> {
        let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(MAGIC)?;
        Ok(Journal { path: path.to_path_buf(), file, unsynced: 0 })
    }

    /// Reads every whole record of an existing journal, truncates a torn tail, and reopens it
    /// for appending.
    pub(crate) fn resume(path: &Path) -> std::io::Result<(Self, Vec<Record>)> {
        let mut r = BufReader::new(File::open(path)?);
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{} is not a job journal", path.display())));
        }
        let mut records = Vec::new();
        let mut good_len = MAGIC.len() as u64;
        loop {
            let mut head = [0u8; 16];
            if r.read_exact(&mut head).is_err() {
                break;
            }
            let job_len = u64::from_le_bytes(head[..8].try_into().unwrap_or_default()) as usize;
            let pay_len = u64::from_le_bytes(head[8..].try_into().unwrap_or_default()) as usize;
            if job_len > 1 << 20 || pay_len > 1 << 40 {
                break;
            }
            let mut body = vec![0u8; job_len + pay_len + 4];
            if r.read_exact(&mut body).is_err() {
                break;
            }
            let n = job_len + pay_len;
            let sum = u32::from_le_bytes(body[n..].try_into().unwrap_or_default());
            if checksum(&body[..job_len], &body[job_len..n]) != sum {
                break;
            }
            let Ok(job) = String::from_utf8(body[..job_len].to_vec()) else { break };
            body.truncate(n);
            let payload = body.split_off(job_len);
            records.push(Record { job, payload });
            good_len += 16 + n as u64 + 4;
        }
        let file = OpenOptions::new().write(true).open(path)?;
        file.set_len(good_len)?;
        let mut j = Journal { path: path.to_path_buf(), file, unsynced: 0 };
        use std::io::Seek;
        j.file.seek(std::io::SeekFrom::End(0))?;
        Ok((j, records))
    }

    /// Appends one record. Data reaches the OS at once (a killed process loses nothing); it is
    /// synced to disk every GiB and at the end.
    pub(crate) fn append(&mut self, job: &str, payload: &[u8]) -> std::io::Result<()> {
        let mut head = Vec::with_capacity(16 + job.len());
        head.extend_from_slice(&(job.len() as u64).to_le_bytes());
        head.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        head.extend_from_slice(job.as_bytes());
        self.file.write_all(&head)?;
        self.file.write_all(payload)?;
        self.file.write_all(&checksum(job.as_bytes(), payload).to_le_bytes())?;
        self.unsynced += head.len() + payload.len() + 4;
        if self.unsynced > 1 << 30 {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(())
    }

    /// Deletes the journal (the output is complete; syncing a file about to be removed would
    /// only cost a disk write of every result).
    pub(crate) fn finish(self) -> std::io::Result<()> {
        drop(self.file);
        std::fs::remove_file(&self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tail_is_dropped_on_resume() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j");
        let mut j = Journal::create(&p).unwrap();
        j.append("XX.A/raw", b"one").unwrap();
        j.append("XX.B/raw", b"two").unwrap();
        drop(j);
        // Simulate a kill in the middle of a third record.
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(&[5, 0, 0, 0, 0, 0, 0, 0, 9, 0]).unwrap();
        drop(f);
        let (mut j, recs) = Journal::resume(&p).unwrap();
        assert_eq!(recs.iter().map(|r| r.job.as_str()).collect::<Vec<_>>(), ["XX.A/raw", "XX.B/raw"]);
        assert_eq!(recs[1].payload, b"two");
        j.append("XX.C/raw", b"three").unwrap();
        drop(j);
        let (_, recs) = Journal::resume(&p).unwrap();
        assert_eq!(recs.len(), 3);
    }
}
